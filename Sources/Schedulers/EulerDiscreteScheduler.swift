import TensorRuntime

/// Matches diffusers 0.42.1 `EulerDiscreteScheduler` (`diffusers/schedulers/scheduling_euler_discrete.py`)
/// without churn (`s_churn` = 0, its default), so the whole step is deterministic.
///
/// Sigmas: the training table sqrt((1 - abar) / abar) in float32, interpolated linearly at the
/// slot timesteps in float64 (`np.interp`) and rounded to float32, then the final sigma (0, or
/// sigma_min with `final_sigmas_type` "sigma_min"). Per slot i with sigma_i, sigma_{i+1}, float32
/// in diffusers' operation order:
/// - model input: x / sqrt(sigma_i^2 + 1);
/// - denoise: x0 = x - sigma_i * eps (v-prediction: v * (-sigma_i / sqrt(sigma_i^2 + 1)) +
///   x / (sigma_i^2 + 1)); d = (x - x0) / sigma_i; x' = x + d * (sigma_{i+1} - sigma_i). This is
///   the whole step, and equals x + eps * (sigma_{i+1} - sigma_i) up to float32 round-off;
/// - noise: nothing;
/// - background fill: c + sigma_{i+1} * n (diffusers `add_noise` in sigma space at the sigma the
///   step lands on; after the last slot sigma is 0, or sigma_min with `final_sigmas_type`
///   "sigma_min"); with no noise (nil) c itself.
/// `init_noise_sigma` is the largest sigma for "linspace" and "trailing" spacing and
/// sqrt(sigma_max^2 + 1) for "leading". The latent of a slot is x0 + sigma * n, which is
/// sqrt(sigma^2 + 1) times the variance-preserving latent: ``signalLevel`` is
/// 1 / sqrt(sigma^2 + 1), ``alphaBar`` 1 / (sigma^2 + 1) and ``noiseLevel``
/// sigma / sqrt(sigma^2 + 1) (a_t, abar_t and b_t at integer timesteps, up to round-off).
///
/// Schedules: ``SlotSchedule/steps(_:)`` is `set_timesteps(n)` with the configured
/// `timestep_spacing` ("linspace" timesteps stay fractional float32 values);
/// ``SlotSchedule/slots(_:)`` is `set_timesteps(timesteps:)` with the slots' grid timesteps.
///
/// Limitations: no churn (`s_churn`, `s_tmin`, `s_tmax`, `s_noise`), Karras/exponential/beta
/// sigmas, `interpolation_type` "log_linear", `timestep_type` "continuous", `sample`
/// prediction, `trained_betas`, `rescale_betas_zero_snr` or `squaredcos_cap_v2` betas.
public struct EulerDiscreteScheduler: DiscreteTimeScheduler {
    public var kind: SchedulerKind { .euler }
    public let configuration: SchedulerConfiguration
    public let tables: TrainingNoiseTables
    public let schedule: SlotSchedule
    public let timesteps: [Float]
    /// sigma of each slot plus the final sigma (slotCount + 1 values, diffusers `sigmas`).
    public let sigmas: [Float]
    public let alphaBar: [Float]
    public let signalLevel: [Float]
    public let noiseLevel: [Float]
    public let initialNoiseSigma: Float
    /// sqrt(sigma^2 + 1) of each slot: the model input is divided by it.
    private let inputScale: [Float]
    /// Per slot: sigma_{i+1} - sigma_i, -sigma_i / sqrt(sigma_i^2 + 1) and sigma_i^2 + 1 (the step's float32 coefficients).
    private let sigmaSteps: [Float]
    private let velocityScale: [Float]
    private let sampleDivisor: [Float]

    /// Builds the tables for `configuration` (adapted to `EulerDiscreteScheduler`'s defaults)
    /// and `schedule`.
    /// - Throws: ``SchedulerError`` for unsupported options or an invalid schedule.
    public init(configuration: SchedulerConfiguration, schedule: SlotSchedule = .steps(50)) throws(SchedulerError) {
        try self.init(configuration: configuration, schedule: schedule, squareRoot: { $0.squareRoot() })
    }

    /// `squareRoot` computes every float32 square root of the tables (tests substitute torch's,
    /// which is not correctly rounded, to check the kernels bit for bit).
    init(configuration: SchedulerConfiguration, schedule: SlotSchedule, squareRoot: (Float) -> Float) throws(SchedulerError) {
        let configuration = configuration.adapted(to: .euler)
        try configuration.validate(for: .euler)
        let tables = try TrainingNoiseTables(configuration: configuration)
        let total = configuration.trainingTimestepCount
        let timesteps: [Float]
        switch schedule {
        case let .steps(count):
            let count = try schedule.checkedStepCount(count, configuration: configuration)
            timesteps = DiffusersTimesteps.spaced(configuration.timestepSpacing, trainingTimestepCount: total, count: count,
                                                  stepsOffset: configuration.stepsOffset, roundsLinspace: false).map { Float($0) }
        case let .slots(slots):
            timesteps = try schedule.gridTimesteps(slots, configuration: configuration).map(Float.init)
        }
        let table = tables.alphaBar.map { squareRoot((1 - $0) / $0) }
        let finalSigma: Float = configuration.finalSigmasType == .zero ? 0 : table[0]
        let sigmas = timesteps.map { EulerDiscreteScheduler.interpolate(table, at: Double($0)) } + [finalSigma]
        self.configuration = configuration
        self.tables = tables
        self.schedule = schedule
        self.timesteps = timesteps
        self.sigmas = sigmas
        let slotSigmas = sigmas.dropLast()
        alphaBar = slotSigmas.map { 1 / ($0 * $0 + 1) }
        inputScale = slotSigmas.map { squareRoot($0 * $0 + 1) }
        sigmaSteps = slotSigmas.indices.map { sigmas[$0 + 1] - sigmas[$0] }
        velocityScale = zip(slotSigmas, inputScale).map { -$0 / $1 }
        sampleDivisor = slotSigmas.map { $0 * $0 + 1 }
        noiseLevel = zip(slotSigmas, inputScale).map { $0 / $1 }
        signalLevel = inputScale.map { 1 / $0 }
        let largest = sigmas.max() ?? 0
        initialNoiseSigma = configuration.timestepSpacing == .leading ? squareRoot(largest * largest + 1) : largest
    }

    /// `np.interp(x, arange(count), table)` in float64, rounded to float32.
    static func interpolate(_ table: [Float], at position: Double) -> Float {
        guard position > 0 else { return table[0] }
        let last = table.count - 1
        guard position < Double(last) else { return table[last] }
        let lower = Int(position.rounded(.down))
        let low = Double(table[lower])
        if Double(lower) == position { return table[lower] }
        let slope = (Double(table[lower + 1]) - low) / 1.0
        return Float(slope * (position - Double(lower)) + low)
    }

    public var coefficients: [SchedulerCoefficient] {
        [SchedulerCoefficient(key: "sigma", values: Array(sigmas.dropLast()))]
    }

    /// x / sqrt(sigma^2 + 1).
    public func scaleModelInput(_ sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.map([("sample", sample)], slots: slots, slotCount: slotCount) { perSample in sample / perSample(inputScale) }
    }

    /// The whole Euler step to sigma_{i+1} (see the type's notes).
    public func denoise(modelOutput: Tensor, sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        let prediction = configuration.predictionType
        return try PerSampleKernel.map([("sample", sample), ("modelOutput", modelOutput)], slots: slots, slotCount: slotCount) {
            perSample in
            let sigma = perSample(Array(sigmas.dropLast()))
            let original: Tensor
            switch prediction {
            case .epsilon: original = sample - sigma * modelOutput
            case .vPrediction: original = modelOutput * perSample(velocityScale) + sample / perSample(sampleDivisor)
            }
            let derivative = (sample - original) / sigma
            return sample + derivative * perSample(sigmaSteps)
        }
    }

    /// Nothing: returns `denoised` unchanged.
    public func noise(_ denoised: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("denoised", denoised), ("noise", noise), slots: slots, slotCount: slotCount) { _ in nil }
    }

    public func addsNoise(slot: Int) -> Bool { false }

    /// x0 + n * sigma (diffusers `add_noise`).
    public func addNoise(_ original: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("original", original), ("noise", noise), slots: slots, slotCount: slotCount) { slot in
            (1, sigmas[slot])
        }
    }

    /// c + sigma_{i+1} * n (see the type's notes); nil noise: c.
    public func backgroundFill(_ clean: Tensor, noise: Tensor?, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("clean", clean), noise.map { ("noise", $0) }, slots: slots, slotCount: slotCount) { slot in
            (1, sigmas[slot + 1])
        }
    }
}
