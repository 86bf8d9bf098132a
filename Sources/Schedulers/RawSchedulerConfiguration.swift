/// `scheduler_config.json` as stored: every field optional, diffusers' snake_case keys. JSON
/// `null` reads as absent. ``SchedulerConfiguration`` validates it and fills in defaults.
struct RawSchedulerConfiguration: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case className = "_class_name"
        case numTrainTimesteps = "num_train_timesteps"
        case betaStart = "beta_start"
        case betaEnd = "beta_end"
        case betaSchedule = "beta_schedule"
        case predictionType = "prediction_type"
        case timestepSpacing = "timestep_spacing"
        case stepsOffset = "steps_offset"
        case setAlphaToOne = "set_alpha_to_one"
        case clipSample = "clip_sample"
        case clipSampleRange = "clip_sample_range"
        case originalInferenceSteps = "original_inference_steps"
        case timestepScaling = "timestep_scaling"
        case finalSigmasType = "final_sigmas_type"
        case interpolationType = "interpolation_type"
        case timestepType = "timestep_type"
        case thresholding
        case rescaleBetasZeroSNR = "rescale_betas_zero_snr"
        case useKarrasSigmas = "use_karras_sigmas"
        case useExponentialSigmas = "use_exponential_sigmas"
        case useBetaSigmas = "use_beta_sigmas"
        case trainedBetas = "trained_betas"
        case shift
        case useDynamicShifting = "use_dynamic_shifting"
        case invertSigmas = "invert_sigmas"
        case shiftTerminal = "shift_terminal"
        case stochasticSampling = "stochastic_sampling"
    }

    var className: String?
    var numTrainTimesteps: Int?
    var betaStart: Double?
    var betaEnd: Double?
    var betaSchedule: String?
    var predictionType: String?
    var timestepSpacing: String?
    var stepsOffset: Int?
    var setAlphaToOne: Bool?
    var clipSample: Bool?
    var clipSampleRange: Double?
    var originalInferenceSteps: Int?
    var timestepScaling: Double?
    var finalSigmasType: String?
    var interpolationType: String?
    var timestepType: String?
    var thresholding: Bool?
    var rescaleBetasZeroSNR: Bool?
    var useKarrasSigmas: Bool?
    var useExponentialSigmas: Bool?
    var useBetaSigmas: Bool?
    var trainedBetas: [Double]?
    var shift: Double?
    var useDynamicShifting: Bool?
    var invertSigmas: Bool?
    var shiftTerminal: Double?
    var stochasticSampling: Bool?
    /// The keys present with a non-null value.
    var presentFields: Set<String> = []

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        className = try container.decodeIfPresent(String.self, forKey: .className)
        numTrainTimesteps = try container.decodeIfPresent(Int.self, forKey: .numTrainTimesteps)
        betaStart = try container.decodeIfPresent(Double.self, forKey: .betaStart)
        betaEnd = try container.decodeIfPresent(Double.self, forKey: .betaEnd)
        betaSchedule = try container.decodeIfPresent(String.self, forKey: .betaSchedule)
        predictionType = try container.decodeIfPresent(String.self, forKey: .predictionType)
        timestepSpacing = try container.decodeIfPresent(String.self, forKey: .timestepSpacing)
        stepsOffset = try container.decodeIfPresent(Int.self, forKey: .stepsOffset)
        setAlphaToOne = try container.decodeIfPresent(Bool.self, forKey: .setAlphaToOne)
        clipSample = try container.decodeIfPresent(Bool.self, forKey: .clipSample)
        clipSampleRange = try container.decodeIfPresent(Double.self, forKey: .clipSampleRange)
        originalInferenceSteps = try container.decodeIfPresent(Int.self, forKey: .originalInferenceSteps)
        timestepScaling = try container.decodeIfPresent(Double.self, forKey: .timestepScaling)
        finalSigmasType = try container.decodeIfPresent(String.self, forKey: .finalSigmasType)
        interpolationType = try container.decodeIfPresent(String.self, forKey: .interpolationType)
        timestepType = try container.decodeIfPresent(String.self, forKey: .timestepType)
        thresholding = try container.decodeIfPresent(Bool.self, forKey: .thresholding)
        rescaleBetasZeroSNR = try container.decodeIfPresent(Bool.self, forKey: .rescaleBetasZeroSNR)
        useKarrasSigmas = try container.decodeIfPresent(Bool.self, forKey: .useKarrasSigmas)
        useExponentialSigmas = try container.decodeIfPresent(Bool.self, forKey: .useExponentialSigmas)
        useBetaSigmas = try container.decodeIfPresent(Bool.self, forKey: .useBetaSigmas)
        trainedBetas = try container.decodeIfPresent([Double].self, forKey: .trainedBetas)
        shift = try container.decodeIfPresent(Double.self, forKey: .shift)
        useDynamicShifting = try container.decodeIfPresent(Bool.self, forKey: .useDynamicShifting)
        invertSigmas = try container.decodeIfPresent(Bool.self, forKey: .invertSigmas)
        shiftTerminal = try container.decodeIfPresent(Double.self, forKey: .shiftTerminal)
        stochasticSampling = try container.decodeIfPresent(Bool.self, forKey: .stochasticSampling)
        for key in CodingKeys.allCases where container.contains(key) {
            if try !container.decodeNil(forKey: key) { presentFields.insert(key.stringValue) }
        }
    }
}
