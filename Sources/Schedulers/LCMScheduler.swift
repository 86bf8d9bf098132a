import TensorRuntime

/// Matches diffusers 0.42.1 `LCMScheduler` (`diffusers/schedulers/scheduling_lcm.py`), as the
/// LCM pipelines and SD1.5 + LCM-LoRA use it, split into denoise and noise parts.
///
/// Per slot i at timestep t (a_t = sqrt(abar_t), b_t = sqrt(1 - abar_t), float32 as torch):
/// - denoise: x0 = (x - b_t * eps) / a_t (v-prediction: a_t * x - b_t * v), clamped to
///   ±`clip_sample_range` when `clip_sample`; z = c_out * x0 + c_skip * x with s = t *
///   `timestep_scaling`, c_skip = 0.25 / (s^2 + 0.25), c_out = s / sqrt(s^2 + 0.25), computed in
///   float32 as diffusers does when the pipeline passes the timestep as a tensor element.
/// - noise: x' = a_{i+1} * z + b_{i+1} * n with the next slot's timestep; nothing after the last.
/// - background fill: `clean` itself, bit for bit (z is an x0 estimate, so the noise part puts a
///   clean latent at a_{i+1} * c + b_{i+1} * n, the level of the next slot, by itself).
///
/// `step` of diffusers equals noise(denoise(x)) with the same n, bit for bit (checked against
/// fixtures). Schedules: ``SlotSchedule/steps(_:)`` is `set_timesteps(n)` (strength 1, n up to
/// `original_inference_steps`); ``SlotSchedule/slots(_:)`` is `set_timesteps(timesteps:)` with
/// the grid timesteps of those slots.
///
/// Limitations: no `thresholding`, `trained_betas`, `rescale_betas_zero_snr`, `sample`
/// prediction, `strength` < 1 or `squaredcos_cap_v2` betas; `timestep_spacing` and
/// `steps_offset` are ignored, as diffusers ignores them.
public struct LCMScheduler: VariancePreservingScheduler {
    public var kind: SchedulerKind { .lcm }
    public let configuration: SchedulerConfiguration
    public let tables: TrainingNoiseTables
    public let schedule: SlotSchedule
    /// The integer timestep of each slot.
    public let integerTimesteps: [Int]
    public let timesteps: [Float]
    public let alphaBar: [Float]
    /// a_t = sqrt(abar_t) of each slot.
    public let signalLevel: [Float]
    public let noiseLevel: [Float]
    /// c_skip of each slot (the weight of the input latent in z).
    public let cSkip: [Float]
    /// c_out of each slot (the weight of the x0 estimate in z).
    public let cOut: [Float]

    /// Builds the tables for `configuration` (adapted to `LCMScheduler`'s defaults) and `schedule`.
    /// - Throws: ``SchedulerError`` for unsupported options or an invalid schedule.
    public init(configuration: SchedulerConfiguration, schedule: SlotSchedule = .defaultSlots) throws(SchedulerError) {
        try self.init(configuration: configuration, schedule: schedule, squareRoot: { $0.squareRoot() })
    }

    /// `squareRoot` computes every float32 square root of the coefficients (tests substitute
    /// torch's, which is not correctly rounded, to check the kernels bit for bit).
    init(configuration: SchedulerConfiguration, schedule: SlotSchedule, squareRoot: (Float) -> Float) throws(SchedulerError) {
        let configuration = configuration.adapted(to: .lcm)
        try configuration.validate(for: .lcm)
        let tables = try TrainingNoiseTables(configuration: configuration)
        let timesteps = try DiffusersTimesteps.consistency(schedule, configuration: configuration)
        self.configuration = configuration
        self.tables = tables
        self.schedule = schedule
        integerTimesteps = timesteps
        self.timesteps = timesteps.map(Float.init)
        alphaBar = timesteps.map { tables.alphaBar[$0] }
        signalLevel = alphaBar.map { squareRoot($0) }
        noiseLevel = alphaBar.map { squareRoot(1 - $0) }
        let scaling = Float(configuration.timestepScaling)
        let scaled = timesteps.map { Float($0) * scaling }
        cSkip = scaled.map { 0.25 / ($0 * $0 + 0.25) }
        cOut = scaled.map { $0 / squareRoot($0 * $0 + 0.25) }
    }

    public var coefficients: [SchedulerCoefficient] {
        [SchedulerCoefficient(key: "c_skip", values: cSkip), SchedulerCoefficient(key: "c_out", values: cOut)]
    }

    /// z = c_out * x0 + c_skip * x, the consistency model's x0 estimate (see the type's notes).
    public func denoise(modelOutput: Tensor, sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        let prediction = configuration.predictionType
        let clip = configuration.clipSample ? Float(configuration.clipSampleRange) : nil
        return try PerSampleKernel.map([("sample", sample), ("modelOutput", modelOutput)], slots: slots, slotCount: slotCount) {
            perSample in
            var original = prediction.originalAndNoise(sample: sample, modelOutput: modelOutput, signal: perSample(signalLevel),
                                                       noise: perSample(noiseLevel)).original
            if let clip { original = original.clamped(-clip, clip) }
            return perSample(cOut) * original + perSample(cSkip) * sample
        }
    }

    /// x' = a_{i+1} * z + b_{i+1} * n; `denoised` unchanged at the last slot.
    public func noise(_ denoised: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("denoised", denoised), ("noise", noise), slots: slots, slotCount: slotCount) { slot in
            slot + 1 < slotCount ? (signalLevel[slot + 1], noiseLevel[slot + 1]) : nil
        }
    }

    public func addsNoise(slot: Int) -> Bool { slot + 1 < slotCount }

    /// `clean` unchanged (a checked copy, no arithmetic): the noise part takes it to
    /// a_{i+1} * c + b_{i+1} * n, the level the step lands on; at the last slot it stays clean.
    public func backgroundFill(_ clean: Tensor, noise: Tensor?, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("clean", clean), noise.map { ("noise", $0) }, slots: slots, slotCount: slotCount) { _ in nil }
    }
}
