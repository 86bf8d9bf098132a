import TensorRuntime

/// A scheduler as tables built once plus pure per-slot functions: no hidden per-image state,
/// so every element of a batch can sit at a different slot (the live stream runs slot k of
/// frame f next to slot k+1 of frame f-1).
///
/// The common vocabulary is the level of each slot's latent, in variance-preserving terms
/// x = a * x0 + b * n (``signalLevel`` a, ``noiseLevel`` b), plus the split step. How a kind
/// gets there (DDPM training tables, sigmas, ...) is its own detail; the DDPM-table schedulers
/// also conform to ``DiscreteTimeScheduler``.
///
/// A diffusers `step` is split into a deterministic ``denoise(modelOutput:sample:slots:)``
/// part and a ``noise(_:noise:slots:)`` part: `step(x) == noise(denoise(x), n)` for the noise
/// n the diffusers step would draw. Region-based generation averages the denoised latents of
/// all brushes, fills what no brush covers with ``backgroundFill(_:noise:slots:)``, and adds
/// the noise part once, after averaging.
///
/// Tensor arguments are float32 with the batch in dimension 0; `slots[b]` is the slot of batch
/// element b. The single-slot forms (`slot:`) treat the whole tensor as one element.
public protocol DiffusionScheduler: Sendable {
    /// Which diffusers class this scheduler matches.
    var kind: SchedulerKind { get }
    /// The configuration it was built from (absent fields filled with this kind's defaults).
    var configuration: SchedulerConfiguration { get }
    /// The schedule it was built for.
    var schedule: SlotSchedule { get }
    /// The timestep of each slot, as the network receives it (diffusers `scheduler.timesteps`).
    var timesteps: [Float] { get }
    /// The signal level a of each slot: its latent is x = a * x0 + b * n in variance-preserving
    /// terms (a_t = sqrt(abar_t); Euler: 1 / sqrt(sigma^2 + 1)).
    var signalLevel: [Float] { get }
    /// The noise level b of each slot, b_t = sqrt(1 - abar_t): the mask quantisation threshold
    /// (Euler: sigma / sqrt(sigma^2 + 1)).
    var noiseLevel: [Float] { get }
    /// Whether slot 0 is the top of the training range (its timestep is at least
    /// `num_train_timesteps - 1`), so that generation starts from pure noise. Where it is not
    /// (e.g. DDIM "leading" spacing: 981 for SD1.5), a pipeline with a background image starts
    /// from the background noised to slot 0 (``addNoise(_:noise:slots:)``).
    var startsFromPureNoise: Bool { get }
    /// `init_noise_sigma`: the initial latent is N(0, 1) noise times this (1 for LCM, DDIM, TCD).
    var initialNoiseSigma: Float { get }
    /// The scheduler's own per-slot coefficients, for display (LCM: c_skip, c_out; Euler:
    /// sigma; DDIM: the alpha-bar it steps to; TCD: the intermediate timestep and alpha-bars).
    var coefficients: [SchedulerCoefficient] { get }

    /// The network input for `sample` at each slot (`scale_model_input`; identity for LCM, DDIM
    /// and TCD).
    func scaleModelInput(_ sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor
    /// The deterministic part of the step: the network output `modelOutput` for `sample` at
    /// each slot gives the latent that the noise part starts from.
    func denoise(modelOutput: Tensor, sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor
    /// The noise part of the step for `denoised` at each slot with the standard normal `noise`
    /// (returns `denoised` unchanged where the step adds no noise).
    func noise(_ denoised: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor
    /// Whether the noise part of `slot` adds anything (uses its `noise` argument), i.e. whether
    /// the diffusers step draws noise there.
    func addsNoise(slot: Int) -> Bool
    /// A clean latent noised to each slot (diffusers `add_noise` at the slot's timestep).
    func addNoise(_ original: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor
    /// The clean latent `clean` expressed where the denoise output of each slot lives, so that
    /// after the noise part it sits exactly at the level the slot's full step lands on, with
    /// the same standard normal `noise` the noise part is given:
    ///
    ///     noise(backgroundFill(c, n, slot), n, slot) == a' * c + b' * n
    ///
    /// with (a', b') the level the step of `slot` lands on (diffusers `add_noise` there). It is
    /// what region generation puts where no brush covers the canvas, before the noise part.
    /// `noise` nil (the last slot, where the region loop draws no noise) makes the noise term
    /// zero. Per kind (each type documents its formula): LCM `clean` itself, bit for bit;
    /// DDIM sqrt(abar') * c + (sqrt(1 - abar') - sigma_t) * n; Euler c + sigma_{i+1} * n;
    /// TCD sqrt(abar_s) * c + ((sqrt(1 - abar_t') - q) / r) * n.
    func backgroundFill(_ clean: Tensor, noise: Tensor?, slots: [Int]) throws(SchedulerError) -> Tensor
}

/// A scheduler of the DDPM family: its levels come from discrete training tables
/// (`betas`, `alphas_cumprod`) indexed by integer timesteps (LCM, DDIM, Euler, TCD).
public protocol DiscreteTimeScheduler: DiffusionScheduler {
    /// The training tables (`betas`, `alphas_cumprod`).
    var tables: TrainingNoiseTables { get }
    /// alpha-bar of each slot: abar_t (Euler: 1 / (sigma^2 + 1), which is abar at integer t).
    var alphaBar: [Float] { get }
}

/// A discrete-time scheduler whose latent of a slot is the variance-preserving mix
/// a_t·x0 + b_t·n with a_t = sqrt(abar_t), b_t = sqrt(1 − abar_t) (``signalLevel``,
/// ``noiseLevel``), and whose network input is that latent unscaled (LCM, DDIM, TCD; not
/// Euler, whose latents carry sigma).
public protocol VariancePreservingScheduler: DiscreteTimeScheduler {}

extension VariancePreservingScheduler {
    public var initialNoiseSigma: Float { 1 }

    /// x itself.
    public func scaleModelInput(_ sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.copy(("sample", sample), slots: slots, slotCount: slotCount)
    }

    /// a_t * x0 + b_t * n (diffusers `add_noise`).
    public func addNoise(_ original: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("original", original), ("noise", noise), slots: slots, slotCount: slotCount) { slot in
            (signalLevel[slot], noiseLevel[slot])
        }
    }
}

/// A named per-slot coefficient of a scheduler.
public struct SchedulerCoefficient: Sendable, Equatable {
    /// The snake_case key (`c_skip`, `c_out`, `sigma`, `previous_alpha_bar`, ...).
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

    /// Whether slot 0's timestep is at the top of the training range (every scheduler here:
    /// ``SchedulerConfiguration/isTopOfTrainingRange(_:)``).
    public var startsFromPureNoise: Bool { configuration.isTopOfTrainingRange(timesteps[0]) }

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

    /// ``backgroundFill(_:noise:slots:)`` with one slot for the whole tensor.
    public func backgroundFill(_ clean: Tensor, noise: Tensor?, slot: Int) throws(SchedulerError) -> Tensor {
        if let noise { try checkSameShape(noise, "noise", as: clean) }
        return try backgroundFill(clean.flattenedToOne(), noise: noise?.flattenedToOne(), slots: [slot]).reshaped(clean.shape)
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
