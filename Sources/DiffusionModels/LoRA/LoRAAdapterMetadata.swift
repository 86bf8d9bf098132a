import Foundation

/// diffusers' LoRA adapter metadata: the JSON string `__metadata__["lora_adapter_metadata"]`
/// that `save_lora_weights(..., unet_lora_adapter_metadata:, text_encoder_lora_adapter_metadata:)`
/// writes (diffusers 0.42, loaders/lora_base.py). Its keys are a peft `LoraConfig.to_dict()` per
/// network, prefixed `unet.` / `text_encoder.`: `unet.r`, `unet.lora_alpha`, `unet.rank_pattern`,
/// `unet.alpha_pattern`, `unet.use_rslora`, ...
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
        var rankPattern: [(pattern: String, value: Int)] = []
        var alphaPattern: [(pattern: String, value: Double)] = []
        var useRSLoRA = false
    }

    /// The metadata key in a safetensors `__metadata__`.
    static let metadataKey = "lora_adapter_metadata"
    private static let prefixes: [(prefix: String, target: LoRATarget)] = [
        ("unet.", .unet), ("text_encoder.", .textEncoder), ("text_encoder_2.", .textEncoder2),
    ]

    /// The configuration per network; a network without one uses alpha = rank (scale 1).
    let configurations: [LoRATarget: Configuration]

    /// No metadata: every layer is used with alpha = rank.
    init() { configurations = [:] }

    /// Parses the metadata JSON of the LoRA file `file`.
    init(json: String, file: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw LoRAError.invalidMetadata(file: file, reason: "is not a JSON object")
        }
        var configurations: [LoRATarget: Configuration] = [:]
        for key in object.keys.sorted() {
            guard let (prefix, target) = Self.prefixes.first(where: { key.hasPrefix($0.prefix) }) else { continue }
            let field = String(key.dropFirst(prefix.count))
            let value = object[key] as Any
            var configuration = configurations[target] ?? Configuration()
            func invalid(_ expected: String) -> LoRAError {
                LoRAError.invalidMetadata(file: file, reason: "field '\(key)' = \(value) is not \(expected)")
            }
            switch field {
            case "r":
                guard let rank = Self.integer(value), rank > 0 else { throw invalid("a positive integer") }
                configuration.rank = rank
            case "lora_alpha":
                guard let alpha = Self.number(value) else { throw invalid("a number") }
                configuration.alpha = alpha
            case "use_rslora":
                guard let flag = value as? Bool else { throw invalid("a boolean") }
                configuration.useRSLoRA = flag
            case "rank_pattern":
                guard let patterns = Self.dictionary(value) else { throw invalid("an object") }
                configuration.rankPattern = try patterns.map { pattern, entry in
                    guard let rank = Self.integer(entry), rank > 0 else { throw invalid("an object of positive integers") }
                    return (pattern, rank)
                }
            case "alpha_pattern":
                guard let patterns = Self.dictionary(value) else { throw invalid("an object") }
                configuration.alphaPattern = try patterns.map { pattern, entry in
                    guard let alpha = Self.number(entry) else { throw invalid("an object of numbers") }
                    return (pattern, alpha)
                }
            default:
                break
            }
            configurations[target] = configuration
        }
        self.configurations = configurations
    }

    /// alpha / r (or alpha / sqrt(r) for rsLoRA) for the module at `modulePath` of `target`, whose
    /// factors (`key`) have rank `rank`; `nil` when the file has no configuration for `target`.
    func multiplier(target: LoRATarget, modulePath: String, rank: Int, key: String, file: String) throws -> Float? {
        guard let configuration = configurations[target] else { return nil }
        var configuredRank = configuration.rank
        for (pattern, value) in configuration.rankPattern where try Self.matches(pattern, modulePath, file: file) {
            configuredRank = value
            break
        }
        guard configuredRank == rank else {
            throw LoRAError.invalidMetadata(file: file, reason: "gives module '\(modulePath)' rank \(configuredRank), but '\(key)' has rank \(rank)")
        }
        var alpha = configuration.alpha
        for (pattern, value) in configuration.alphaPattern where try Self.matches(pattern, modulePath, file: file) {
            alpha = value
            break
        }
        let denominator = configuration.useRSLoRA ? Double(rank).squareRoot() : Double(rank)
        return Float(alpha / denominator)
    }

    /// peft's `get_pattern_key`: `re.match(rf"(.*\.)?({pattern})$", path)`.
    private static func matches(_ pattern: String, _ path: String, file: String) throws -> Bool {
        let expression: NSRegularExpression
        do {
            expression = try NSRegularExpression(pattern: "^(.*\\.)?(\(pattern))$")
        } catch {
            throw LoRAError.invalidMetadata(file: file, reason: "pattern '\(pattern)' is not a valid regular expression")
        }
        let range = NSRange(path.startIndex..<path.endIndex, in: path)
        return expression.firstMatch(in: path, range: range) != nil
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
