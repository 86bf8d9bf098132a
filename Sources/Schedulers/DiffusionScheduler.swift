import TensorRuntime

/// A scheduler as tables built once plus pure per-slot functions: no hidden per-image state,
/// so every element of a batch can sit at a different slot (the live stream runs slot k of
/// frame f next to slot k+1 of frame f-1).
///
/// A diffusers `step` is split into a deterministic ``denoise(modelOutput:sample:slots:)``
/// part and a ``noise(_:noise:slots:)`` part: `step(x) == noise(denoise(x), n)` for the noise
/// n the diffusers step would draw. Region-based generation averages the denoised latents of
/// all brushes and adds the noise part once, after averaging.
///
/// Tensor arguments are float32 with the batch in dimension 0; `slots[b]` is the slot of batch
/// element b. The single-slot forms (`slot:`) treat the whole tensor as one element.
public protocol DiffusionScheduler: Sendable {
    /// Which diffusers class this scheduler matches.
    var kind: SchedulerKind { get }
    /// The configuration it was built from (absent fields filled with this kind's defaults).
    var configuration: SchedulerConfiguration { get }
    /// The training tables (`betas`, `alphas_cumprod`).
    var tables: TrainingNoiseTables { get }
    /// The schedule it was built for.
    var schedule: SlotSchedule { get }
    /// The timestep of each slot, as the network receives it (diffusers `scheduler.timesteps`).
    var timesteps: [Float] { get }
    /// alpha-bar of each slot: abar_t (Euler: 1 / (sigma^2 + 1), which is abar at integer t).
    var alphaBar: [Float] { get }
    /// The noise level b_t = sqrt(1 - abar_t) of each slot, the mask quantisation threshold
    /// (Euler: sigma / sqrt(sigma^2 + 1)).
    var noiseLevel: [Float] { get }
    /// `init_noise_sigma`: the initial latent is N(0, 1) noise times this (1 for LCM and DDIM).
    var initialNoiseSigma: Float { get }
    /// The scheduler's own per-slot coefficients, for display (LCM: c_skip, c_out; Euler:
    /// sigma; DDIM: the alpha-bar it steps to).
    var coefficients: [SchedulerCoefficient] { get }

    /// The network input for `sample` at each slot (`scale_model_input`; identity for LCM and DDIM).
    func scaleModelInput(_ sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor
    /// The deterministic part of the step: the network output `modelOutput` for `sample` at
    /// each slot gives the latent that the noise part starts from.
    func denoise(modelOutput: Tensor, sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor
    /// The noise part of the step for `denoised` at each slot with the standard normal `noise`
    /// (returns `denoised` unchanged where the step adds no noise).
    func noise(_ denoised: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor
    /// Whether the noise part of `slot` adds anything (uses its `noise` argument).
    func addsNoise(slot: Int) -> Bool
    /// A clean latent noised to each slot (diffusers `add_noise` at the slot's timestep).
    func addNoise(_ original: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor
}

/// A named per-slot coefficient of a scheduler.
public struct SchedulerCoefficient: Sendable, Equatable {
    /// The snake_case key (`c_skip`, `c_out`, `sigma`, `previous_alpha_bar`).
    public let key: String
    /// One value per slot.
    public let values: [Float]

    /// A coefficient named `key` with one value per slot.
    public init(key: String, values: [Float]) {
        self.key = key
        self.values = values
    }
}

extension DiffusionScheduler {
    /// The number of slots.
    public var slotCount: Int { timesteps.count }

    /// ``scaleModelInput(_:slots:)`` with one slot for the whole tensor.
    public func scaleModelInput(_ sample: Tensor, slot: Int) throws(SchedulerError) -> Tensor {
        try scaleModelInput(sample.flattenedToOne(), slots: [slot]).reshaped(sample.shape)
    }

    /// ``denoise(modelOutput:sample:slots:)`` with one slot for the whole tensor.
    public func denoise(modelOutput: Tensor, sample: Tensor, slot: Int) throws(SchedulerError) -> Tensor {
        try checkSameShape(modelOutput, "modelOutput", as: sample)
        return try denoise(modelOutput: modelOutput.flattenedToOne(), sample: sample.flattenedToOne(), slots: [slot]).reshaped(sample.shape)
    }

    /// ``noise(_:noise:slots:)`` with one slot for the whole tensor.
    public func noise(_ denoised: Tensor, noise: Tensor, slot: Int) throws(SchedulerError) -> Tensor {
        try checkSameShape(noise, "noise", as: denoised)
        return try self.noise(denoised.flattenedToOne(), noise: noise.flattenedToOne(), slots: [slot]).reshaped(denoised.shape)
    }

    /// ``addNoise(_:noise:slots:)`` with one slot for the whole tensor.
    public func addNoise(_ original: Tensor, noise: Tensor, slot: Int) throws(SchedulerError) -> Tensor {
        try checkSameShape(noise, "noise", as: original)
        return try addNoise(original.flattenedToOne(), noise: noise.flattenedToOne(), slots: [slot]).reshaped(original.shape)
    }

    /// The whole diffusers `step` at each slot: ``noise(_:noise:slots:)`` of ``denoise(modelOutput:sample:slots:)``.
    public func step(modelOutput: Tensor, sample: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try self.noise(denoise(modelOutput: modelOutput, sample: sample, slots: slots), noise: noise, slots: slots)
    }

    private func checkSameShape(_ tensor: Tensor, _ name: String, as reference: Tensor) throws(SchedulerError) {
        guard tensor.shape == reference.shape else {
            throw .shapeMismatch(argument: name, shape: tensor.shape, expected: "\(reference.shape) (the shape of the other argument)")
        }
    }
}

extension Tensor {
    /// The same elements as a batch of one: [1, count].
    func flattenedToOne() -> Tensor { reshaped([1, count]) }
}

// TEMPORARY (replaced by the scheduler-seam branch): LCM's behaviour for every kind.
extension DiffusionScheduler {
    public func backgroundFill(_ clean: Tensor, noise: Tensor?, slot: Int) throws(SchedulerError) -> Tensor { clean }
    public var startsFromPureNoise: Bool { timesteps[0] >= 999 }
}
