import TensorRuntime

/// Matches diffusers 0.42.1 `TCDScheduler` (`diffusers/schedulers/scheduling_tcd.py`), as the
/// TCD-LoRA and Hyper-SD pipelines use it, split into denoise and noise parts. Hyper-SD's SD1.5
/// 1-step LoRA samples with `TCDScheduler.from_config(sd15_config)`, `num_inference_steps=1`,
/// `eta=1.0` and guidance 0: `TCDScheduler(configuration: sd15, schedule: .steps(1), eta: 1)`.
///
/// Per slot i at timestep t, with t' the timestep the step goes to (the next slot's, 0 after
/// the last: diffusers' `prev_timestep`) and the intermediate timestep s = floor((1 - eta) * t')
/// (float32, as diffusers computes it from the 0-d timestep tensor); float32 as torch:
/// - denoise: x0 = (x - sqrt(1 - abar_t) * eps) / sqrt(abar_t), eps as given (v-prediction:
///   x0 = a_t x - b_t v, eps = a_t v + b_t x); x_s = sqrt(abar_s) * x0 + sqrt(1 - abar_s) * eps
///   (diffusers' `pred_noised_sample`). Nothing is clamped: diffusers' step ignores
///   `clip_sample` and `thresholding`.
/// - noise: when eta > 0 and i is not the last slot, x' = r * x_s + q * n with
///   r = sqrt(abar_t' / abar_s) and q = sqrt(1 - abar_t' / abar_s) (the ratio in float32);
///   otherwise nothing, and diffusers draws no noise there either (``addsNoise(slot:)``).
/// - background fill: with r = 1, q = 0 where the noise part adds nothing,
///   fill = sqrt(abar_s) * c + ((sqrt(1 - abar_t') - q) / r) * n. Derivation: the noise part
///   gives r * fill + q * n = r * sqrt(abar_s) * c + (sqrt(1 - abar_t') - q) * n + q * n
///   = sqrt(abar_t') * c + sqrt(1 - abar_t') * n, since r * sqrt(abar_s) = sqrt(abar_t'): the
///   clean latent at the level the step lands on, with the noise part's own n. With no noise
///   (nil) the fill is sqrt(abar_s) * c.
///
/// The last slot lands on timestep 0, not on the clean latent: with s = t' = 0 its output is
/// sqrt(abar_0) * x0 + sqrt(1 - abar_0) * eps, as in diffusers (so is the whole 1-step
/// Hyper-SD sample). With eta = 1 every slot's denoise goes to s = 0 and the noise part
/// re-noises to t'; with eta = 0 s = t' and the step is deterministic.
///
/// Schedules: ``SlotSchedule/steps(_:)`` is `set_timesteps(n)` with `strength` 1 (n up to
/// `original_inference_steps`): the same timesteps as LCM's, floor(linspace(0, 50, n,
/// endpoint=False)) into the grid 999, 979, ..., 19 (1 step: 999; 2: 999, 499; 4: 999, 759,
/// 499, 259). ``SlotSchedule/slots(_:)`` is `set_timesteps(timesteps:)` with the grid
/// timesteps of those slots. Checked against fixtures for eta 1.0 (1, 2, 4 steps) and 0.3.
///
/// Limitations: no `trained_betas`, `rescale_betas_zero_snr`, `sample` prediction,
/// `squaredcos_cap_v2` betas, `strength` < 1 or `set_timesteps(original_inference_steps:)` (the
/// "customised" 0..<N grid); `clip_sample`, `thresholding`, `timestep_spacing`, `steps_offset`
/// and `set_alpha_to_one` are ignored, as diffusers ignores them. eta is a Float here and a
/// Python float in diffusers: 1 - eta is formed in float64 from the Float eta, which gives
/// diffusers' float32 factor for eta 0.3 and 1.0 (checked) but can differ by an ulp for other
/// values, moving s by one timestep where (1 - eta) * t' is within an ulp of an integer.
public struct TCDScheduler: VariancePreservingScheduler {
    /// diffusers' default eta of `TCDScheduler.step` (called gamma in the TCD paper).
    public static let defaultEta: Float = 0.3

    public var kind: SchedulerKind { .tcd }
    public let configuration: SchedulerConfiguration
    public let tables: TrainingNoiseTables
    public let schedule: SlotSchedule
    /// eta (gamma): the stochastic weight, 0 (deterministic) to 1 (every slot denoises to
    /// timestep 0 and re-noises).
    public let eta: Float
    /// The integer timestep of each slot.
    public let integerTimesteps: [Int]
    /// The timestep each slot steps to, t' (the next slot's; 0 after the last).
    public let previousTimesteps: [Int]
    /// The intermediate timestep of each slot, s = floor((1 - eta) * t'), where the denoise part lands.
    public let intermediateTimesteps: [Int]
    public let timesteps: [Float]
    public let alphaBar: [Float]
    /// a_t = sqrt(abar_t) of each slot.
    public let signalLevel: [Float]
    public let noiseLevel: [Float]
    /// abar_s of each slot.
    public let intermediateAlphaBar: [Float]
    /// abar_t' of each slot.
    public let previousAlphaBar: [Float]
    private let intermediateSignalLevel: [Float]
    private let intermediateNoiseLevel: [Float]
    /// r = sqrt(abar_t' / abar_s) of each slot (1 where the noise part adds nothing).
    private let noiseSignalScale: [Float]
    /// q = sqrt(1 - abar_t' / abar_s) of each slot (0 where the noise part adds nothing).
    private let noiseNoiseScale: [Float]
    /// (sqrt(1 - abar_t') - q) / r of each slot: the noise weight of the background fill.
    private let fillNoiseScale: [Float]

    /// Builds the tables for `configuration` (adapted to `TCDScheduler`'s defaults), `schedule`
    /// and `eta` (diffusers' `step(eta:)`, ``defaultEta`` by default).
    /// - Throws: ``SchedulerError`` for unsupported options, an eta outside 0...1 or an invalid schedule.
    public init(configuration: SchedulerConfiguration, schedule: SlotSchedule = .steps(4), eta: Float = TCDScheduler.defaultEta)
        throws(SchedulerError) {
        try self.init(configuration: configuration, schedule: schedule, eta: eta, squareRoot: { $0.squareRoot() })
    }

    /// `squareRoot` computes every float32 square root of the coefficients (tests substitute
    /// torch's, which is not correctly rounded, to check the kernels bit for bit).
    init(configuration: SchedulerConfiguration, schedule: SlotSchedule, eta: Float, squareRoot: (Float) -> Float) throws(SchedulerError) {
        let configuration = configuration.adapted(to: .tcd)
        try configuration.validate(for: .tcd)
        guard eta.isFinite, (0...1).contains(eta) else {
            throw .invalidSchedule(reason: "TCD eta must be a number in 0...1 (diffusers asserts 0 <= eta <= 1), got \(eta)")
        }
        let tables = try TrainingNoiseTables(configuration: configuration)
        let timesteps = try DiffusersTimesteps.consistency(schedule, configuration: configuration)
        let previous = Array(timesteps.dropFirst()) + [0]
        // torch.floor((1 - eta) * prev_timestep): a Python float times a 0-d int64 tensor is a
        // float32 product of float32(1 - eta) and float32(t').
        let factor = Float(1 - Double(eta))
        let intermediate = previous.map { Int((factor * Float($0)).rounded(.down)) }
        self.configuration = configuration
        self.tables = tables
        self.schedule = schedule
        self.eta = eta
        integerTimesteps = timesteps
        previousTimesteps = previous
        intermediateTimesteps = intermediate
        self.timesteps = timesteps.map(Float.init)
        alphaBar = timesteps.map { tables.alphaBar[$0] }
        signalLevel = alphaBar.map { squareRoot($0) }
        noiseLevel = alphaBar.map { squareRoot(1 - $0) }
        let intermediateAlphaBar = intermediate.map { tables.alphaBar[$0] }
        let previousAlphaBar = previous.map { tables.alphaBar[$0] }
        self.intermediateAlphaBar = intermediateAlphaBar
        self.previousAlphaBar = previousAlphaBar
        intermediateSignalLevel = intermediateAlphaBar.map { squareRoot($0) }
        intermediateNoiseLevel = intermediateAlphaBar.map { squareRoot(1 - $0) }
        let addsNoise = timesteps.indices.map { eta > 0 && $0 + 1 < timesteps.count }
        let ratios = zip(previousAlphaBar, intermediateAlphaBar).map { $0 / $1 }
        let signalScale = timesteps.indices.map { addsNoise[$0] ? squareRoot(ratios[$0]) : 1 }
        let noiseScale = timesteps.indices.map { addsNoise[$0] ? squareRoot(1 - ratios[$0]) : 0 }
        noiseSignalScale = signalScale
        noiseNoiseScale = noiseScale
        fillNoiseScale = timesteps.indices.map { slot in
            (squareRoot(1 - previousAlphaBar[slot]) - noiseScale[slot]) / signalScale[slot]
        }
    }

    public var coefficients: [SchedulerCoefficient] {
        [SchedulerCoefficient(key: "intermediate_timestep", values: intermediateTimesteps.map(Float.init)),
         SchedulerCoefficient(key: "intermediate_alpha_bar", values: intermediateAlphaBar),
         SchedulerCoefficient(key: "previous_alpha_bar", values: previousAlphaBar)]
    }

    /// x_s = sqrt(abar_s) * x0 + sqrt(1 - abar_s) * eps, diffusers' `pred_noised_sample` (see
    /// the type's notes).
    public func denoise(modelOutput: Tensor, sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        let prediction = configuration.predictionType
        return try PerSampleKernel.map([("sample", sample), ("modelOutput", modelOutput)], slots: slots, slotCount: slotCount) {
            perSample in
            let (original, epsilon) = prediction.originalAndNoise(sample: sample, modelOutput: modelOutput, signal: perSample(signalLevel),
                                                                  noise: perSample(noiseLevel))
            return perSample(intermediateSignalLevel) * original + perSample(intermediateNoiseLevel) * epsilon
        }
    }

    /// r * x_s + q * n when eta > 0 and `slot` is not the last; `denoised` unchanged otherwise.
    public func noise(_ denoised: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("denoised", denoised), ("noise", noise), slots: slots, slotCount: slotCount) { slot in
            addsNoise(slot: slot) ? (noiseSignalScale[slot], noiseNoiseScale[slot]) : nil
        }
    }

    public func addsNoise(slot: Int) -> Bool { eta > 0 && slot + 1 < slotCount }

    /// sqrt(abar_s) * c + ((sqrt(1 - abar_t') - q) / r) * n (see the type's notes for the
    /// derivation); nil noise: sqrt(abar_s) * c.
    public func backgroundFill(_ clean: Tensor, noise: Tensor?, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("clean", clean), noise.map { ("noise", $0) }, slots: slots, slotCount: slotCount) { slot in
            (intermediateSignalLevel[slot], fillNoiseScale[slot])
        }
    }
}
