import TensorRuntime

/// Matches diffusers 0.42.1 `DDIMScheduler` (`diffusers/schedulers/scheduling_ddim.py`),
/// split into denoise and noise parts.
///
/// Per slot at timestep t stepping to t' (abar' = abar_{t'}, or the final alpha-bar — 1 with
/// `set_alpha_to_one`, else abar_0 — when t' < 0), float32 as torch:
/// - x0 = (x - sqrt(1 - abar_t) * eps) / sqrt(abar_t), eps as given (v-prediction: x0 = a_t x -
///   b_t v, eps = a_t v + b_t x), clamped to ±`clip_sample_range` when `clip_sample`;
/// - sigma_t = eta * sqrt((1 - abar') / (1 - abar_t) * (1 - abar_t / abar'));
/// - denoise: sqrt(abar') * x0 + sqrt(1 - abar' - sigma_t^2) * eps, the whole step when eta = 0;
/// - noise: + sigma_t * n when eta > 0 (diffusers' `variance_noise`), nothing when eta = 0;
/// - background fill: sqrt(abar') * c + (sqrt(1 - abar') - sigma_t) * n, so that the noise part
///   lands on sqrt(abar') * c + sqrt(1 - abar') * n (eta 0: sigma_t = 0 and the fill is that
///   level itself); with no noise (nil) sqrt(abar') * c.
///
/// Schedules: ``SlotSchedule/steps(_:)`` is `set_timesteps(n)` with the configured
/// `timestep_spacing` and `steps_offset`; as in diffusers each step goes to t' = t - N div n,
/// which for "linspace" (and "trailing" when n does not divide N) is *not* the next slot's
/// timestep. ``SlotSchedule/slots(_:)`` (no diffusers equivalent: DDIM's `set_timesteps` takes
/// no custom timesteps) steps from each slot to the next slot's timestep and from the last to
/// the final alpha-bar; slots 0..<50 equal `set_timesteps(50)` with "trailing" spacing.
///
/// Hyper-SD's 2/4/8-step SD1.5 LoRAs sample with `DDIMScheduler.from_config(sd15_config,
/// timestep_spacing="trailing")` and eta 0: build it from SD1.5's configuration
/// `.overriding(timestepSpacing: .trailing)` (999, 499 for 2 steps; 999, 749, 499, 249 for 4;
/// 999, 874, ..., 124 for 8; checked against fixtures).
///
/// Limitations: no `thresholding`, `use_clipped_model_output`, `trained_betas`,
/// `rescale_betas_zero_snr`, `sample` prediction or `squaredcos_cap_v2` betas.
public struct DDIMScheduler: VariancePreservingScheduler {
    public var kind: SchedulerKind { .ddim }
    public let configuration: SchedulerConfiguration
    public let tables: TrainingNoiseTables
    public let schedule: SlotSchedule
    /// eta: the weight of the stochastic part (0: deterministic DDIM).
    public let eta: Float
    /// The integer timestep of each slot.
    public let integerTimesteps: [Int]
    /// The timestep each slot steps to (negative: past the end, the final alpha-bar).
    public let previousTimesteps: [Int]
    public let timesteps: [Float]
    public let alphaBar: [Float]
    /// a_t = sqrt(abar_t) of each slot.
    public let signalLevel: [Float]
    public let noiseLevel: [Float]
    /// The alpha-bar each slot steps to, abar_{t'}.
    public let previousAlphaBar: [Float]
    /// sigma_t = eta * sqrt(variance) of each slot: the weight of the noise part.
    public let standardDeviation: [Float]
    private let previousSignalLevel: [Float]
    private let directionScale: [Float]
    /// sqrt(1 - abar') - sigma_t of each slot: the noise weight of the background fill.
    private let fillNoiseScale: [Float]

    /// Builds the tables for `configuration` (adapted to `DDIMScheduler`'s defaults), `schedule`
    /// and `eta` (diffusers' `step(eta:)`, 0 by default).
    /// - Throws: ``SchedulerError`` for unsupported options, a negative eta or an invalid schedule.
    public init(configuration: SchedulerConfiguration, schedule: SlotSchedule = .steps(50), eta: Float = 0) throws(SchedulerError) {
        try self.init(configuration: configuration, schedule: schedule, eta: eta, squareRoot: { $0.squareRoot() })
    }

    /// `squareRoot` computes every float32 square root of the coefficients (tests substitute
    /// torch's, which is not correctly rounded, to check the kernels bit for bit).
    init(configuration: SchedulerConfiguration, schedule: SlotSchedule, eta: Float, squareRoot: (Float) -> Float) throws(SchedulerError) {
        let configuration = configuration.adapted(to: .ddim)
        try configuration.validate(for: .ddim)
        guard eta >= 0, eta.isFinite else { throw .invalidSchedule(reason: "eta must be a finite number >= 0, got \(eta)") }
        let tables = try TrainingNoiseTables(configuration: configuration)
        let total = configuration.trainingTimestepCount
        let timesteps: [Int], previous: [Int]
        switch schedule {
        case let .steps(count):
            let count = try schedule.checkedStepCount(count, configuration: configuration)
            timesteps = DiffusersTimesteps.spaced(configuration.timestepSpacing, trainingTimestepCount: total, count: count,
                                                  stepsOffset: configuration.stepsOffset, roundsLinspace: true).map { Int($0) }
            previous = timesteps.map { $0 - total / count }
        case let .slots(slots):
            timesteps = try schedule.gridTimesteps(slots, configuration: configuration)
            previous = Array(timesteps.dropFirst()) + [-1]
        }
        if let bad = timesteps.first(where: { !(0..<total).contains($0) }) {
            throw .invalidSchedule(reason: "timestep \(bad) (steps_offset \(configuration.stepsOffset)) is outside the training timesteps 0..<\(total)")
        }
        self.configuration = configuration
        self.tables = tables
        self.schedule = schedule
        self.eta = eta
        integerTimesteps = timesteps
        previousTimesteps = previous
        self.timesteps = timesteps.map(Float.init)
        let alphaBar = timesteps.map { tables.alphaBar[$0] }
        let finalAlphaBar: Float = configuration.setAlphaToOne ? 1 : tables.alphaBar[0]
        let previousAlphaBar = previous.map { $0 >= 0 ? tables.alphaBar[$0] : finalAlphaBar }
        self.alphaBar = alphaBar
        self.previousAlphaBar = previousAlphaBar
        signalLevel = alphaBar.map { squareRoot($0) }
        noiseLevel = alphaBar.map { squareRoot(1 - $0) }
        previousSignalLevel = previousAlphaBar.map { squareRoot($0) }
        let deviations = zip(alphaBar, previousAlphaBar).map { current, previous -> Float in
            let variance = ((1 - previous) / (1 - current)) * (1 - current / previous)
            return eta * squareRoot(variance)
        }
        standardDeviation = deviations
        directionScale = zip(previousAlphaBar, deviations).map { previous, deviation in
            squareRoot((1 - previous) - deviation * deviation)
        }
        fillNoiseScale = zip(previousAlphaBar, deviations).map { previous, deviation in squareRoot(1 - previous) - deviation }
    }

    public var coefficients: [SchedulerCoefficient] {
        [SchedulerCoefficient(key: "previous_alpha_bar", values: previousAlphaBar)]
    }

    /// sqrt(abar') * x0 + sqrt(1 - abar' - sigma_t^2) * eps: the whole DDIM step when eta = 0.
    public func denoise(modelOutput: Tensor, sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        let prediction = configuration.predictionType
        let clip = configuration.clipSample ? Float(configuration.clipSampleRange) : nil
        return try PerSampleKernel.map([("sample", sample), ("modelOutput", modelOutput)], slots: slots, slotCount: slotCount) {
            perSample in
            var (original, epsilon) = prediction.originalAndNoise(sample: sample, modelOutput: modelOutput, signal: perSample(signalLevel),
                                                                  noise: perSample(noiseLevel))
            if let clip { original = original.clamped(-clip, clip) }
            return perSample(previousSignalLevel) * original + perSample(directionScale) * epsilon
        }
    }

    /// + sigma_t * n (eta > 0); `denoised` unchanged when eta = 0.
    public func noise(_ denoised: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("denoised", denoised), ("noise", noise), slots: slots, slotCount: slotCount) { slot in
            eta > 0 ? (1, standardDeviation[slot]) : nil
        }
    }

    public func addsNoise(slot: Int) -> Bool { eta > 0 }

    /// sqrt(abar') * c + (sqrt(1 - abar') - sigma_t) * n (see the type's notes); nil noise:
    /// sqrt(abar') * c.
    public func backgroundFill(_ clean: Tensor, noise: Tensor?, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("clean", clean), noise.map { ("noise", $0) }, slots: slots, slotCount: slotCount) { slot in
            (previousSignalLevel[slot], fillNoiseScale[slot])
        }
    }
}
