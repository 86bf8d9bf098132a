import TensorRuntime

/// Matches diffusers 0.42.1 `FlowMatchEulerDiscreteScheduler`
/// (`diffusers/schedulers/scheduling_flow_match_euler_discrete.py`) without dynamic shifting,
/// the scheduler of SD3 and SD3.5 (`shift` 3.0). The latent of a slot is the rectified-flow
/// interpolation x = (1 − σ)·x0 + σ·n and the network predicts the velocity v = n − x0.
///
/// Sigmas and timesteps: ``FlowMatchSigmas`` (`set_timesteps(n)` exactly; timesteps σ·N).
/// Per slot i, float32 in diffusers' operation order:
/// - model input: x (no scaling);
/// - denoise: the whole step, x + (σ_{i+1} − σ_i)·v (`prev_sample = sample + dt * model_output`);
/// - noise: nothing;
/// - `addNoise`: `scale_noise`, σ·n + (1 − σ)·x0 at the slot's sigma;
/// - background fill: (1 − σ_{i+1})·c + σ_{i+1}·n, the level the step lands on; with no noise
///   (nil) (1 − σ_{i+1})·c.
/// `init_noise_sigma` is 1; generation starts from pure noise when slot 0's timestep is at
/// least N − 1 (σ_0 = 1 for every `set_timesteps(n)`).
///
/// ``signalLevel`` and ``noiseLevel`` are 1/sqrt(σ² + 1) and σ/sqrt(σ² + 1): the SemanticDraw
/// authors' SD3 pipeline quantises masks against σ/sqrt(σ² + 1), Euler's normalisation of
/// sigma, not against the flow latent's own coefficients (1 − σ, σ), which ``addNoise`` uses.
///
/// Schedules: ``SlotSchedule/steps(_:)`` is `set_timesteps(n)`; ``SlotSchedule/slots(_:)`` picks
/// slots of the `original_inference_steps` (50) step schedule, each stepping to the next slot's
/// sigma (0 after the last).
///
/// Limitations: no dynamic (resolution-dependent) shifting, `invert_sigmas`, `shift_terminal`,
/// Karras/exponential/beta sigmas, `stochastic_sampling`, per-token timesteps or churn.
public struct FlowMatchEulerDiscreteScheduler: FlowMatchScheduler {
    public var kind: SchedulerKind { .flowMatchEuler }
    public let configuration: SchedulerConfiguration
    public let schedule: SlotSchedule
    public let timesteps: [Float]
    /// σ of each slot plus the final 0 (slotCount + 1 values, diffusers `sigmas`).
    public let sigmas: [Float]
    public let signalLevel: [Float]
    public let noiseLevel: [Float]
    /// σ_{i+1} − σ_i per slot (diffusers' `dt`, float32).
    private let sigmaSteps: [Float]

    /// Builds the schedule for `configuration` (adapted to `FlowMatchEulerDiscreteScheduler`'s
    /// defaults) and `schedule`.
    /// - Throws: ``SchedulerError`` for unsupported options or an invalid schedule.
    public init(configuration: SchedulerConfiguration, schedule: SlotSchedule = .steps(28)) throws(SchedulerError) {
        let configuration = configuration.adapted(to: .flowMatchEuler)
        try configuration.validate(for: .flowMatchEuler)
        let table = try FlowMatchSlotTable(schedule, configuration: configuration)
        self.configuration = configuration
        self.schedule = schedule
        sigmas = table.sigmas
        timesteps = table.timesteps
        signalLevel = table.signalLevel
        noiseLevel = table.noiseLevel
        let all = table.sigmas
        sigmaSteps = all.indices.dropLast().map { all[$0 + 1] - all[$0] }
    }

    /// The whole Euler step to σ_{i+1}: x + (σ_{i+1} − σ_i)·v.
    public func denoise(modelOutput: Tensor, sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.map([("sample", sample), ("modelOutput", modelOutput)], slots: slots, slotCount: slotCount) { perSample in
            sample + perSample(sigmaSteps) * modelOutput
        }
    }

    /// Nothing: returns `denoised` unchanged.
    public func noise(_ denoised: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("denoised", denoised), ("noise", noise), slots: slots, slotCount: slotCount) { _ in nil }
    }

    public func addsNoise(slot: Int) -> Bool { false }

    /// (1 − σ_{i+1})·c + σ_{i+1}·n (see the type's notes); nil noise: (1 − σ_{i+1})·c.
    public func backgroundFill(_ clean: Tensor, noise: Tensor?, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("clean", clean), noise.map { ("noise", $0) }, slots: slots, slotCount: slotCount) { slot in
            (1 - sigmas[slot + 1], sigmas[slot + 1])
        }
    }
}
