import Foundation

/// diffusers' LoRA adapter metadata: the JSON string `__metadata__["lora_adapter_metadata"]`
/// that `save_lora_weights(..., unet_lora_adapter_metadata:, text_encoder_lora_adapter_metadata:)`
/// writes (diffusers 0.42, loaders/lora_base.py). Its keys are a peft `LoraConfig.to_dict()` per
/// network, prefixed `unet.` / `text_encoder.` (SD3: `transformer.`): `unet.r`, `unet.lora_alpha`,
/// `unet.rank_pattern`, `unet.alpha_pattern`, `unet.use_rslora`, ... A PEFT adapter folder holds the
/// same fields unprefixed in `adapter_config.json` (``init(adapterConfiguration:file:target:)``).
///
/// peft (0.21, tuners/lora) scales a module by `alpha / r`, or `alpha / sqrt(r)` with
/// `use_rslora`, where `r` and `alpha` come from the first `rank_pattern` / `alpha_pattern` key
/// that matches the module's path as the regular expression `(.*\.)?(key)$` (keys in JSON order,
/// which diffusers sorts), else from `r` / `lora_alpha` (peft defaults 8 and 8).
struct LoRAAdapterMetadata: Sendable {
    /// The `LoraConfig` fields that decide a module's scale.
    struct Configuration: Sendable {
        var rank: Int = 8
        var alpha: Double = 8
        var rankPattern: [(pattern: ModulePattern, value: Int)] = []
        var alphaPattern: [(pattern: ModulePattern, value: Double)] = []
        var useRSLoRA = false
    }

    /// A `rank_pattern` / `alpha_pattern` key, compiled once when the metadata is read (a file
    /// has hundreds of layers, each tried against every pattern).
    struct ModulePattern: @unchecked Sendable {
        /// The key as written.
        let pattern: String
        /// peft's `get_pattern_key`: `re.match(rf"(.*\.)?({pattern})$", path)`. Immutable after
        /// init, so sharing it across threads is safe.
        let expression: NSRegularExpression

        /// Compiles `pattern`; `nil` when it is not a regular expression.
        init?(_ pattern: String) {
            guard let expression = try? NSRegularExpression(pattern: "^(.*\\.)?(\(pattern))$") else { return nil }
            self.pattern = pattern
            self.expression = expression
        }

        /// Whether the module path `path` matches.
        func matches(_ path: String) -> Bool {
            expression.firstMatch(in: path, range: NSRange(path.startIndex..<path.endIndex, in: path)) != nil
        }
    }

    /// The metadata key in a safetensors `__metadata__`.
    static let metadataKey = "lora_adapter_metadata"
    private static let prefixes: [(prefix: String, target: LoRATarget)] = [
        ("unet.", .unet), ("text_encoder.", .textEncoder), ("text_encoder_2.", .textEncoder2), ("transformer.", .transformer),
    ]

    /// The configuration per network; a network without one uses alpha = rank (scale 1).
    let configurations: [LoRATarget: Configuration]
    /// The `adapter_config.json` the configuration came from (nil: the file's metadata), for messages.
    let adapterConfigurationFile: String?

    /// No metadata: every layer is used with alpha = rank.
    init() {
        configurations = [:]
        adapterConfigurationFile = nil
    }

    /// Parses the metadata JSON of the LoRA file `file`.
    init(json: String, file: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw LoRAError.invalidMetadata(file: file, reason: "is not a JSON object")
        }
        var configurations: [LoRATarget: Configuration] = [:]
        for key in object.keys.sorted() {
            guard let (prefix, target) = Self.prefixes.first(where: { key.hasPrefix($0.prefix) }) else { continue }
            let value = object[key] as Any
            var configuration = configurations[target] ?? Configuration()
            try Self.read(field: String(key.dropFirst(prefix.count)), value: value, into: &configuration) { expected in
                LoRAError.invalidMetadata(file: file, reason: "field '\(key)' = \(value) is not \(expected)")
            }
            configurations[target] = configuration
        }
        self.configurations = configurations
        adapterConfigurationFile = nil
    }

    /// Parses a PEFT adapter's `adapter_config.json` (peft 0.21 `LoraConfig.to_dict()`, written by
    /// `PeftModel.save_pretrained`), whose layers adapt `target`: `r`, `lora_alpha`, `rank_pattern`,
    /// `alpha_pattern` and `use_rslora` decide the scales. Options that change what a layer
    /// computes are refused, naming the field: `use_dora`, `lora_bias`, `bias` other than
    /// "none", a `peft_type` other than "LORA", `modules_to_save`, `layer_replication`.
    init(adapterConfiguration data: Data, file: String, target: LoRATarget) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LoRAError.invalidAdapterConfiguration(file: file, reason: "is not a JSON object")
        }
        func refuse(_ field: String, _ reason: String) -> LoRAError {
            LoRAError.invalidAdapterConfiguration(file: file, reason: "field '\(field)' = \(object[field] ?? "null") is not supported: \(reason)")
        }
        if let type = object["peft_type"] as? String, type.uppercased() != "LORA" {
            throw refuse("peft_type", "only LoRA adapters fuse into the weights")
        }
        for flag in ["use_dora", "lora_bias"] where (object[flag] as? Bool) == true {
            throw refuse(flag, flag == "use_dora" ? "DoRA (weight-decomposed LoRA) is not supported" : "LoRA biases are not supported")
        }
        if let bias = object["bias"] as? String, bias != "none" {
            throw refuse("bias", "trained biases are not supported (only \"none\")")
        }
        for field in ["modules_to_save", "layer_replication"] {
            if let list = object[field] as? [Any], !list.isEmpty { throw refuse(field, "only low-rank factors are fused") }
        }
        var configuration = Configuration()
        for key in object.keys.sorted() {
            let value = object[key] as Any
            try Self.read(field: key, value: value, into: &configuration) { expected in
                LoRAError.invalidAdapterConfiguration(file: file, reason: "field '\(key)' = \(value) is not \(expected)")
            }
        }
        configurations = [target: configuration]
        adapterConfigurationFile = file
    }

    /// Reads one `LoraConfig` field into `configuration` (other fields are ignored).
    private static func read(field: String, value: Any, into configuration: inout Configuration,
                             invalid: (String) -> LoRAError) throws {
        switch field {
        case "r":
            guard let rank = integer(value), rank > 0 else { throw invalid("a positive integer") }
            configuration.rank = rank
        case "lora_alpha":
            guard let alpha = number(value) else { throw invalid("a number") }
            configuration.alpha = alpha
        case "use_rslora":
            guard let flag = value as? Bool else { throw invalid("a boolean") }
            configuration.useRSLoRA = flag
        case "rank_pattern":
            guard let patterns = dictionary(value) else { throw invalid("an object") }
            configuration.rankPattern = try patterns.map { pattern, entry in
                guard let rank = integer(entry), rank > 0 else { throw invalid("an object of positive integers") }
                return (try compiled(pattern, invalid: invalid), rank)
            }
        case "alpha_pattern":
            guard let patterns = dictionary(value) else { throw invalid("an object") }
            configuration.alphaPattern = try patterns.map { pattern, entry in
                guard let alpha = number(entry) else { throw invalid("an object of numbers") }
                return (try compiled(pattern, invalid: invalid), alpha)
            }
        default:
            break
        }
    }

    /// alpha / r (or alpha / sqrt(r) for rsLoRA) for the module at `modulePath` of `target`, whose
    /// factors (`key`) have rank `rank`; `nil` when the file has no configuration for `target`.
    func multiplier(target: LoRATarget, modulePath: String, rank: Int, key: String, file: String) throws -> Float? {
        guard let configuration = configurations[target] else { return nil }
        var configuredRank = configuration.rank
        for (pattern, value) in configuration.rankPattern where pattern.matches(modulePath) {
            configuredRank = value
            break
        }
        guard configuredRank == rank else {
            throw invalid(file: file, reason: "gives module '\(modulePath)' rank \(configuredRank), but '\(key)' has rank \(rank)")
        }
        var alpha = configuration.alpha
        for (pattern, value) in configuration.alphaPattern where pattern.matches(modulePath) {
            alpha = value
            break
        }
        let denominator = configuration.useRSLoRA ? Double(rank).squareRoot() : Double(rank)
        return Float(alpha / denominator)
    }

    /// The error for a configuration that disagrees with the LoRA file `file`: it names the
    /// `adapter_config.json` when the configuration came from one.
    private func invalid(file: String, reason: String) -> LoRAError {
        if let adapterConfigurationFile {
            return .invalidAdapterConfiguration(file: adapterConfigurationFile, reason: reason + " (in \(file))")
        }
        return .invalidMetadata(file: file, reason: reason)
    }

    /// `pattern` compiled, or the field's error naming it.
    private static func compiled(_ pattern: String, invalid: (String) -> LoRAError) throws -> ModulePattern {
        guard let compiled = ModulePattern(pattern) else {
            throw invalid("an object keyed by regular expressions ('\(pattern)' is not one)")
        }
        return compiled
    }

    private static func dictionary(_ value: Any) -> [(String, Any)]? {
        guard let object = value as? [String: Any] else { return nil }
        return object.keys.sorted().map { ($0, object[$0] as Any) }
    }

    private static func number(_ value: Any) -> Double? {
        // JSON booleans arrive as NSNumber too; their type code is "c".
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        return number.doubleValue
    }

    private static func integer(_ value: Any) -> Int? {
        guard let number = number(value), number == number.rounded(), abs(number) < 1e9 else { return nil }
        return Int(number)
    }
}
