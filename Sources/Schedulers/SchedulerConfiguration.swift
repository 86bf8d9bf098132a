import Foundation

/// The scheduler settings of a diffusers `scheduler/scheduler_config.json`, snake_case keys
/// mapped to camelCase properties (each property names its key).
///
/// Fields absent from the file take the defaults of the diffusers class named by `_class_name`
/// (`LCMScheduler`, `DDIMScheduler`, `EulerDiscreteScheduler`, `TCDScheduler`,
/// `FlowMatchEulerDiscreteScheduler`, `FlashFlowMatchEulerDiscreteScheduler`; any other class,
/// e.g. SD1.5's `PNDMScheduler`, reads with `DDIMScheduler`'s defaults). Building a scheduler of
/// another kind re-applies that kind's defaults to the absent fields (``adapted(to:)``), which
/// is what diffusers' `SomeScheduler.from_config(other.config)` does; `from_config`'s keyword
/// overrides (`from_config(config, timestep_spacing="trailing")`) are
/// ``overriding(timestepSpacing:)``.
///
/// Reading rejects, naming the file, the field and the value: malformed JSON, fields of the
/// wrong type, impossible values (a non-positive `num_train_timesteps`, ...), and enumerated
/// values this module does not implement (`beta_schedule` other than `linear`/`scaled_linear`,
/// `prediction_type` other than `epsilon`/`v_prediction`, ...). Options that only some kinds
/// use (`thresholding`, `use_karras_sigmas`, ...) are checked when a scheduler is built
/// (``validate(for:)``). Unknown keys are ignored, as diffusers ignores them.
public struct SchedulerConfiguration: Sendable, Equatable {
    /// The file this configuration was read from (used in error messages).
    public var sourceFile: String
    /// `_class_name`: the diffusers class that wrote the file, if present.
    public var className: String?
    /// `num_train_timesteps` (N): the training timesteps 0..<N. Default 1000.
    public var trainingTimestepCount: Int
    /// `beta_start`: the first training beta. Default 0.00085 (LCM) or 0.0001 (DDIM, Euler).
    public var betaStart: Double
    /// `beta_end`: the last training beta. Default 0.012 (LCM) or 0.02 (DDIM, Euler).
    public var betaEnd: Double
    /// `beta_schedule`. Default `scaled_linear` (LCM) or `linear` (DDIM, Euler).
    public var betaSchedule: BetaSchedule
    /// `prediction_type`. Default `epsilon`.
    public var predictionType: PredictionType
    /// `timestep_spacing`. Default `leading` (LCM, DDIM, TCD) or `linspace` (Euler). LCM and TCD
    /// ignore it.
    public var timestepSpacing: TimestepSpacing
    /// `steps_offset`: added to "leading" timesteps (DDIM, Euler). Default 0. LCM and TCD ignore it.
    public var stepsOffset: Int
    /// `set_alpha_to_one`: alpha-bar after the last DDIM step is 1 (else abar_0). Default true.
    /// (TCD never steps past timestep 0, so it never uses it.)
    public var setAlphaToOne: Bool
    /// `clip_sample`: clamp the x0 estimate to ±`clip_sample_range` (LCM, DDIM; TCD's step
    /// ignores it, as diffusers' does). Default false (LCM, TCD) or true (DDIM).
    public var clipSample: Bool
    /// `clip_sample_range`. Default 1.0.
    public var clipSampleRange: Double
    /// `original_inference_steps` (LCM, TCD): the size of the timestep grid LCM and TCD pick their
    /// steps from, also the grid that explicit slot lists index (999, 979, ..., 19 for 50).
    /// Default 50.
    public var originalInferenceSteps: Int
    /// `timestep_scaling` (LCM): s = timestep_scaling * t in c_skip and c_out. Default 10.
    public var timestepScaling: Double
    /// `final_sigmas_type` (Euler). Default `zero`.
    public var finalSigmasType: FinalSigmasType
    /// `interpolation_type` (Euler); only `linear` is implemented. Default `linear`.
    public var interpolationType: String
    /// `timestep_type` (Euler); only `discrete` is implemented. Default `discrete`.
    public var timestepType: String
    /// `thresholding` (LCM, DDIM); dynamic thresholding is not implemented (TCD's step ignores
    /// it, as diffusers' does). Default false.
    public var thresholding: Bool
    /// `rescale_betas_zero_snr`; not implemented. Default false.
    public var rescaleBetasZeroSNR: Bool
    /// `use_karras_sigmas` (Euler); not implemented. Default false.
    public var useKarrasSigmas: Bool
    /// `use_exponential_sigmas` (Euler); not implemented. Default false.
    public var useExponentialSigmas: Bool
    /// `use_beta_sigmas` (Euler); not implemented. Default false.
    public var useBetaSigmas: Bool
    /// Whether `trained_betas` is given (not null); explicit betas are not implemented.
    public var hasTrainedBetas: Bool
    /// `shift` (flow matching): sigmas become shift·s / (1 + (shift − 1)·s). Default 1.0; SD3 and
    /// SD3.5 use 3.0.
    public var shift: Double
    /// `use_dynamic_shifting` (flow matching, resolution-dependent `mu`); not implemented. Default false.
    public var useDynamicShifting: Bool
    /// `invert_sigmas` (flow matching); not implemented. Default false.
    public var invertSigmas: Bool
    /// `shift_terminal` (flow matching, stretching the schedule to end there); not implemented.
    /// Default null.
    public var shiftTerminal: Double?
    /// `stochastic_sampling` (flow-match Euler: x0 re-noised each step); not implemented (the
    /// Flash scheduler's split step is ``FlashFlowMatchEulerDiscreteScheduler``). Default false.
    public var stochasticSampling: Bool
    /// The snake_case keys present (and not null) in the file.
    public var presentFields: Set<String>
}

extension SchedulerConfiguration {
    /// Reads `scheduler_config.json` from a pipeline folder (`<folder>/scheduler/`) or from the
    /// scheduler folder itself.
    /// - Throws: ``SchedulerError`` naming the file and, for content errors, the field and value.
    public init(folder: String) throws(SchedulerError) {
        let manager = FileManager.default
        let candidates = [folder + "/scheduler/scheduler_config.json", folder + "/scheduler_config.json"]
        guard let file = candidates.first(where: { manager.fileExists(atPath: $0) }) else {
            var isFolder: ObjCBool = false
            let exists = manager.fileExists(atPath: folder, isDirectory: &isFolder)
            let reason = !exists ? "no such folder"
                : !isFolder.boolValue ? "not a folder (pass the pipeline folder or its scheduler/ folder)"
                : "neither scheduler/scheduler_config.json nor scheduler_config.json exists in it"
            throw .unreadableConfiguration(file: folder, reason: reason)
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw .unreadableConfiguration(file: file, reason: "\(error.localizedDescription)")
        }
        try self.init(data: data, file: file)
    }

    /// Reads a configuration from JSON bytes; `file` names the source in error messages.
    /// - Throws: ``SchedulerError`` naming `file`, the field and the value.
    public init(data: Data, file: String) throws(SchedulerError) {
        let raw: RawSchedulerConfiguration
        do {
            raw = try JSONDecoder().decode(RawSchedulerConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw SchedulerConfiguration.describe(error, file: file)
        } catch {
            throw .malformedConfiguration(file: file, field: "(file)", reason: "cannot be decoded: \(error)")
        }
        try self.init(raw: raw, file: file)
    }

    /// This configuration with `timestep_spacing` set to `timestepSpacing` and recorded as present
    /// in the file (so ``adapted(to:)`` keeps it): diffusers'
    /// `SomeScheduler.from_config(config, timestep_spacing=...)`. Hyper-SD's 2/4/8-step SD1.5
    /// LoRAs use `DDIMScheduler.from_config(sd15_config, timestep_spacing="trailing")`:
    ///
    ///     let ddim = try DDIMScheduler(configuration: sd15.overriding(timestepSpacing: .trailing),
    ///                                  schedule: .steps(4), eta: 0)
    public func overriding(timestepSpacing: TimestepSpacing) -> SchedulerConfiguration {
        var result = self
        result.timestepSpacing = timestepSpacing
        result.presentFields.insert(RawSchedulerConfiguration.CodingKeys.timestepSpacing.stringValue)
        return result
    }

    /// Whether integer timestep `timestep` is the top of the training range, N - 1 or more
    /// (``DiffusionScheduler/startsFromPureNoise``).
    func isTopOfTrainingRange(_ timestep: Float) -> Bool {
        timestep >= Float(trainingTimestepCount - 1)
    }

    /// This configuration as diffusers' `from_config` would give it to a scheduler of `kind`:
    /// fields absent from the file take that class's defaults.
    public func adapted(to kind: SchedulerKind) -> SchedulerConfiguration {
        let defaults = SchedulerConfiguration.defaults(for: kind, file: sourceFile)
        var result = self
        for field in SchedulerConfiguration.fieldCopiers where !presentFields.contains(field.key) {
            field.copy(defaults, &result)
        }
        return result
    }

    /// Checks the options a scheduler of `kind` would use but this module does not implement.
    /// - Throws: ``SchedulerError/unsupportedValue(file:field:value:supported:)``.
    public func validate(for kind: SchedulerKind) throws(SchedulerError) {
        func reject(_ field: String, _ value: String, _ supported: [String]) throws(SchedulerError) {
            throw .unsupportedValue(file: sourceFile, field: field, value: value, supported: supported)
        }
        if kind.usesTrainingTables {
            if hasTrainedBetas { try reject("trained_betas", "a list of betas", ["null (betas from beta_start, beta_end, beta_schedule)"]) }
            if rescaleBetasZeroSNR { try reject("rescale_betas_zero_snr", "true", ["false"]) }
        }
        switch kind {
        case .lcm, .ddim:
            if thresholding { try reject("thresholding", "true", ["false"]) }
        case .tcd:
            break  // TCDScheduler.step ignores clip_sample and thresholding, as diffusers' does.
        case .euler:
            if interpolationType != "linear" { try reject("interpolation_type", "\"\(interpolationType)\"", ["\"linear\""]) }
            if timestepType != "discrete" { try reject("timestep_type", "\"\(timestepType)\"", ["\"discrete\""]) }
            if useKarrasSigmas { try reject("use_karras_sigmas", "true", ["false"]) }
            if useExponentialSigmas { try reject("use_exponential_sigmas", "true", ["false"]) }
            if useBetaSigmas { try reject("use_beta_sigmas", "true", ["false"]) }
        case .flowMatchEuler:
            if useDynamicShifting { try reject("use_dynamic_shifting", "true", ["false"]) }
            if invertSigmas { try reject("invert_sigmas", "true", ["false"]) }
            if let shiftTerminal { try reject("shift_terminal", "\(shiftTerminal)", ["null"]) }
            if stochasticSampling { try reject("stochastic_sampling", "true", ["false (the Flash scheduler's split step is flash-flow-match-euler)"]) }
            if useKarrasSigmas { try reject("use_karras_sigmas", "true", ["false"]) }
            if useExponentialSigmas { try reject("use_exponential_sigmas", "true", ["false"]) }
            if useBetaSigmas { try reject("use_beta_sigmas", "true", ["false"]) }
        case .flashFlowMatchEuler:
            break  // The fork's class reads only num_train_timesteps and shift; it ignores the rest.
        }
        if kind == .lcm || kind == .tcd, originalInferenceSteps > trainingTimestepCount {
            throw .malformedConfiguration(file: sourceFile, field: "original_inference_steps",
                                          reason: "is \(originalInferenceSteps), more than num_train_timesteps \(trainingTimestepCount)")
        }
    }
}

extension SchedulerConfiguration {
    init(raw: RawSchedulerConfiguration, file: String) throws(SchedulerError) {
        self = SchedulerConfiguration.defaults(for: raw.className.flatMap(SchedulerKind.init(className:)) ?? .ddim, file: file)
        className = raw.className
        presentFields = raw.presentFields

        func positive(_ value: Int?, _ field: String) throws(SchedulerError) -> Int? {
            guard let value else { return nil }
            guard value > 0 else { throw .malformedConfiguration(file: file, field: field, reason: "must be positive, got \(value)") }
            return value
        }
        func finite(_ value: Double?, _ field: String, positive: Bool) throws(SchedulerError) -> Double? {
            guard let value else { return nil }
            guard value.isFinite, !positive || value > 0 else {
                throw .malformedConfiguration(file: file, field: field, reason: "must be a \(positive ? "positive " : "")finite number, got \(value)")
            }
            return value
        }
        func option<Option: RawRepresentable & CaseIterable>(_ value: String?, _ field: String, _ type: Option.Type) throws(SchedulerError) -> Option?
            where Option.RawValue == String {
            guard let value else { return nil }
            guard let option = Option(rawValue: value) else {
                throw .unsupportedValue(file: file, field: field, value: "\"\(value)\"", supported: Option.allCases.map { "\"\($0.rawValue)\"" })
            }
            return option
        }

        if let value = try positive(raw.numTrainTimesteps, "num_train_timesteps") {
            guard value >= 2 else { throw .malformedConfiguration(file: file, field: "num_train_timesteps", reason: "must be at least 2, got \(value)") }
            trainingTimestepCount = value
        }
        if let value = try finite(raw.betaStart, "beta_start", positive: false) { betaStart = value }
        if let value = try finite(raw.betaEnd, "beta_end", positive: false) { betaEnd = value }
        if let value = try option(raw.betaSchedule, "beta_schedule", BetaSchedule.self) { betaSchedule = value }
        if let value = try option(raw.predictionType, "prediction_type", PredictionType.self) { predictionType = value }
        if let value = try option(raw.timestepSpacing, "timestep_spacing", TimestepSpacing.self) { timestepSpacing = value }
        if let value = raw.stepsOffset {
            guard value >= 0 else { throw .malformedConfiguration(file: file, field: "steps_offset", reason: "must not be negative, got \(value)") }
            stepsOffset = value
        }
        if let value = raw.setAlphaToOne { setAlphaToOne = value }
        if let value = raw.clipSample { clipSample = value }
        if let value = try finite(raw.clipSampleRange, "clip_sample_range", positive: true) { clipSampleRange = value }
        if let value = try positive(raw.originalInferenceSteps, "original_inference_steps") { originalInferenceSteps = value }
        if let value = try finite(raw.timestepScaling, "timestep_scaling", positive: true) { timestepScaling = value }
        if let value = try option(raw.finalSigmasType, "final_sigmas_type", FinalSigmasType.self) { finalSigmasType = value }
        if let value = raw.interpolationType { interpolationType = value }
        if let value = raw.timestepType { timestepType = value }
        if let value = raw.thresholding { thresholding = value }
        if let value = raw.rescaleBetasZeroSNR { rescaleBetasZeroSNR = value }
        if let value = raw.useKarrasSigmas { useKarrasSigmas = value }
        if let value = raw.useExponentialSigmas { useExponentialSigmas = value }
        if let value = raw.useBetaSigmas { useBetaSigmas = value }
        hasTrainedBetas = raw.trainedBetas != nil
        if let value = try finite(raw.shift, "shift", positive: true) { shift = value }
        if let value = raw.useDynamicShifting { useDynamicShifting = value }
        if let value = raw.invertSigmas { invertSigmas = value }
        if let value = try finite(raw.shiftTerminal, "shift_terminal", positive: false) { shiftTerminal = value }
        if let value = raw.stochasticSampling { stochasticSampling = value }
        for (field, value) in [("beta_start", betaStart), ("beta_end", betaEnd)] where value < 0 {
            throw .malformedConfiguration(file: file, field: field, reason: "must not be negative, got \(value)")
        }
    }

    static func describe(_ error: DecodingError, file: String) -> SchedulerError {
        func field(_ path: [CodingKey]) -> String {
            path.isEmpty ? "(file)" : path.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case let .typeMismatch(type, context):
            return .malformedConfiguration(file: file, field: field(context.codingPath), reason: "has the wrong type: expected \(typeName(type)) (\(context.debugDescription))")
        case let .valueNotFound(type, context):
            return .malformedConfiguration(file: file, field: field(context.codingPath), reason: "is missing a value: expected \(typeName(type))")
        case let .keyNotFound(key, context):
            return .malformedConfiguration(file: file, field: field(context.codingPath + [key]), reason: "is missing")
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                return .malformedConfiguration(file: file, field: "(file)", reason: "is not a valid JSON object: \(context.debugDescription)")
            }
            return .malformedConfiguration(file: file, field: field(context.codingPath), reason: "holds an invalid value: \(context.debugDescription)")
        @unknown default:
            return .malformedConfiguration(file: file, field: "(file)", reason: "cannot be decoded: \(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default: return "\(type)"
        }
    }
}

extension SchedulerConfiguration: Codable {
    /// Decodes a configuration (errors name the file as `scheduler_config.json`; prefer
    /// ``init(data:file:)`` or ``init(folder:)``, which name the real path).
    public init(from decoder: Decoder) throws {
        let raw = try RawSchedulerConfiguration(from: decoder)
        try self.init(raw: raw, file: "scheduler_config.json")
    }

    /// Encodes every field under its diffusers key (`_class_name` only when known).
    public func encode(to encoder: Encoder) throws {
        typealias Key = RawSchedulerConfiguration.CodingKeys
        var container = encoder.container(keyedBy: Key.self)
        try container.encodeIfPresent(className, forKey: .className)
        try container.encode(trainingTimestepCount, forKey: .numTrainTimesteps)
        try container.encode(betaStart, forKey: .betaStart)
        try container.encode(betaEnd, forKey: .betaEnd)
        try container.encode(betaSchedule.rawValue, forKey: .betaSchedule)
        try container.encode(predictionType.rawValue, forKey: .predictionType)
        try container.encode(timestepSpacing.rawValue, forKey: .timestepSpacing)
        try container.encode(stepsOffset, forKey: .stepsOffset)
        try container.encode(setAlphaToOne, forKey: .setAlphaToOne)
        try container.encode(clipSample, forKey: .clipSample)
        try container.encode(clipSampleRange, forKey: .clipSampleRange)
        try container.encode(originalInferenceSteps, forKey: .originalInferenceSteps)
        try container.encode(timestepScaling, forKey: .timestepScaling)
        try container.encode(finalSigmasType.rawValue, forKey: .finalSigmasType)
        try container.encode(interpolationType, forKey: .interpolationType)
        try container.encode(timestepType, forKey: .timestepType)
        try container.encode(thresholding, forKey: .thresholding)
        try container.encode(rescaleBetasZeroSNR, forKey: .rescaleBetasZeroSNR)
        try container.encode(useKarrasSigmas, forKey: .useKarrasSigmas)
        try container.encode(useExponentialSigmas, forKey: .useExponentialSigmas)
        try container.encode(useBetaSigmas, forKey: .useBetaSigmas)
        // The flow-matching fields only where they mean something: a flow-matching class, or
        // written in the file.
        let flowMatching = className.flatMap(SchedulerKind.init(className:)).map { !$0.usesTrainingTables } ?? false
        func encodeFlowField<Value: Encodable>(_ value: Value, _ key: Key) throws {
            if flowMatching || presentFields.contains(key.stringValue) { try container.encode(value, forKey: key) }
        }
        try encodeFlowField(shift, .shift)
        try encodeFlowField(useDynamicShifting, .useDynamicShifting)
        try encodeFlowField(invertSigmas, .invertSigmas)
        if let shiftTerminal { try container.encode(shiftTerminal, forKey: .shiftTerminal) }
        try encodeFlowField(stochasticSampling, .stochasticSampling)
    }
}
