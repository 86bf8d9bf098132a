import TensorRuntime

/// Matches the Flash Diffusion fork's `FlashFlowMatchEulerDiscreteScheduler` (initml/diffusers,
/// branch clement/feature/flash_sd3, `schedulers/scheduling_flash_flow_match_euler_discrete.py`),
/// the scheduler of SD3 with the Flash LoRA (jasperai/flash-sd3, 4 steps). It reads only
/// `num_train_timesteps` and `shift` and spaces its sigmas and timesteps exactly as diffusers'
/// `FlowMatchEulerDiscreteScheduler` without dynamic shifting (``FlowMatchSigmas``). Its step
/// is already split the way region-based generation needs it:
///
/// - denoise: x0 = x − v·σ_i (`sample - model_output * sigma`), the clean estimate;
/// - noise: (1 − σ_{i+1})·x0 + σ_{i+1}·n (`sigma_next * noise + (1.0 - sigma_next) * sample`),
///   nothing after the last slot (where the fork draws no noise);
/// - `addNoise`: σ·n + (1 − σ)·x0 (`scale_noise`);
/// - background fill: c itself, bit for bit: the noise part puts it at (1 − σ_{i+1}, σ_{i+1}),
///   the level the step lands on (after the last slot, c).
///
/// The model input is x; `init_noise_sigma` 1. ``signalLevel`` and ``noiseLevel`` are
/// 1/sqrt(σ² + 1) and σ/sqrt(σ² + 1), the SemanticDraw authors' mask quantisation levels for
/// SD3 (see ``FlowMatchEulerDiscreteScheduler``).
///
/// Schedules: ``SlotSchedule/steps(_:)`` is the fork's `set_timesteps(n)`;
/// ``SlotSchedule/slots(_:)`` picks slots of its `original_inference_steps` (50) step schedule,
/// each slot's noise part going to the next slot's sigma (0 after the last), as the authors'
/// SD3 pipeline does (`set_timesteps(50)`, slots [0, 4, 12, 25, 37]).
public struct FlashFlowMatchEulerDiscreteScheduler: FlowMatchScheduler {
    public var kind: SchedulerKind { .flashFlowMatchEuler }
    public let configuration: SchedulerConfiguration
    public let schedule: SlotSchedule
    public let timesteps: [Float]
    /// σ of each slot plus the final 0 (slotCount + 1 values).
    public let sigmas: [Float]
    public let signalLevel: [Float]
    public let noiseLevel: [Float]

    /// Builds the schedule for `configuration` (adapted to the fork's defaults) and `schedule`.
    /// - Throws: ``SchedulerError`` for an invalid configuration or schedule.
    public init(configuration: SchedulerConfiguration, schedule: SlotSchedule = .steps(4)) throws(SchedulerError) {
        let configuration = configuration.adapted(to: .flashFlowMatchEuler)
        try configuration.validate(for: .flashFlowMatchEuler)
        let table = try FlowMatchSlotTable(schedule, configuration: configuration)
        self.configuration = configuration
        self.schedule = schedule
        sigmas = table.sigmas
        timesteps = table.timesteps
        signalLevel = table.signalLevel
        noiseLevel = table.noiseLevel
    }

    /// x0 = x − v·σ_i.
    public func denoise(modelOutput: Tensor, sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.map([("sample", sample), ("modelOutput", modelOutput)], slots: slots, slotCount: slotCount) { perSample in
            sample - modelOutput * perSample(Array(sigmas.dropLast()))
        }
    }

    /// (1 − σ_{i+1})·x0 + σ_{i+1}·n; `denoised` unchanged after the last slot.
    public func noise(_ denoised: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("denoised", denoised), ("noise", noise), slots: slots, slotCount: slotCount) { slot in
            addsNoise(slot: slot) ? (1 - sigmas[slot + 1], sigmas[slot + 1]) : nil
        }
    }

    /// Whether the slot is not the last (the fork adds noise at every step but the last).
    public func addsNoise(slot: Int) -> Bool { slot < slotCount - 1 }

    /// `clean` itself, bit for bit (after checking shapes and slots).
    public func backgroundFill(_ clean: Tensor, noise: Tensor?, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("clean", clean), noise.map { ("noise", $0) }, slots: slots, slotCount: slotCount) { _ in nil }
    }
}
