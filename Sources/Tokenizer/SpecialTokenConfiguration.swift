/// The special tokens of a tokenizer folder, resolved from `tokenizer_config.json` and
/// `special_tokens_map.json` as transformers 5.24's `from_pretrained` does:
///
/// - When `tokenizer_config.json` has `added_tokens_decoder` (transformers >= 4.34 saves, e.g.
///   SDXL's `tokenizer_2/`), `special_tokens_map.json` is ignored; the named tokens come from
///   `tokenizer_config.json` and take their options from the `added_tokens_decoder` entry with
///   the same content.
/// - Otherwise each key of `special_tokens_map.json` overrides the same key of
///   `tokenizer_config.json`; keys in neither file take CLIPTokenizer's defaults
///   (`<|startoftext|>` for bos, `<|endoftext|>` for eos, unk and pad).
///
/// Every special token — pad `!` included — becomes an *added token*: it is cut out of the
/// prompt before BPE wherever it appears. A plain string is matched in the raw text
/// (`normalized: false`); an AddedToken object with `normalized: true` (SD2.x, SDXL) is matched
/// after normalisation, so `<|STARTOFTEXT|>` matches too. When two entries share a content,
/// the later one in the order bos, eos, unk, sep, pad, cls, mask, extra tokens decides, after
/// exactly equal entries are dropped (SD1.4's object eos/unk and string pad leave
/// `<|endoftext|>` unnormalised).
struct SpecialTokenConfiguration {
    /// The tokens cut out of the text, with whether they are matched after normalisation.
    struct AddedToken: Equatable {
        let content: String
        let normalized: Bool
    }

    /// The named special token keys, in transformers' `SPECIAL_TOKENS_ATTRIBUTES` order.
    static let namedKeys = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]
    static let extraKeys = ["additional_special_tokens", "extra_special_tokens"]
    static let defaults = ["bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "pad_token": "<|endoftext|>"]

    /// Content of each named special token that is set (`bos_token`, `eos_token`, ...).
    let named: [String: String]
    /// Which file each named token came from, for error messages.
    let sources: [String: String]
    /// The added tokens, one per content.
    let addedTokens: [AddedToken]
    /// `model_max_length` of `tokenizer_config.json`, when it is a sensible length.
    let modelMaximumLength: Int?

    /// One special-token value as written in a file: a string, or an AddedToken object whose
    /// `normalized` may be left out.
    private enum Value: Equatable {
        case string(String)
        case token(content: String, normalized: Bool?, special: Bool)

        var content: String {
            switch self {
            case .string(let content), .token(let content, _, _): return content
            }
        }

        /// A left-out `normalized` is `!special` (tokenizers' AddedToken), where transformers has
        /// marked every named special token special by then.
        func addedToken(namedContents: Set<String>) -> AddedToken {
            switch self {
            case .string(let content):
                return AddedToken(content: content, normalized: false)
            case let .token(content, normalized, special):
                return AddedToken(content: content, normalized: normalized ?? !(special || namedContents.contains(content)))
            }
        }
    }

    /// `padToken`, when given, overrides the files' `pad_token` as a plain (unnormalised) string,
    /// as a `pad_token=` keyword argument to transformers' `from_pretrained` does.
    init(configurationFile: String?, specialTokensMapFile: String?, padToken: String? = nil) throws(TokenizerError) {
        let configuration = try configurationFile.map { path throws(TokenizerError) in try JSONValue.readObject(path) } ?? [:]
        let configurationName = configurationFile ?? TokenizerFolder.configurationFileName

        var values: [String: Value] = [:]
        var extras: [Value] = []
        var sources: [String: String] = [:]
        // Decoder entries first (by id), then named and extra values not already among them.
        var ordered: [Value] = []

        if let decoderValue = configuration["added_tokens_decoder"] {
            guard case .object(let entries) = decoderValue else {
                throw .malformedConfiguration(file: configurationName, key: "added_tokens_decoder", reason: "must be an object of id -> AddedToken")
            }
            var decoderTokens: [(id: Int, value: Value)] = []
            for (idText, entry) in entries {
                guard let id = Int(idText) else {
                    throw .malformedConfiguration(file: configurationName, key: "added_tokens_decoder.\(idText)", reason: "has a key that is not an integer id")
                }
                let value = try Self.value(entry, key: "added_tokens_decoder.\(idText)", file: configurationName, objectIsSpecial: false)
                decoderTokens.append((id, value))
            }
            decoderTokens.sort { $0.id < $1.id }
            ordered = decoderTokens.map(\.value)
            let byContent = Dictionary(decoderTokens.map { ($0.value.content, $0.value) }, uniquingKeysWith: { _, last in last })
            for key in Self.namedKeys {
                if let raw = configuration[key], raw != .null {
                    let value = try Self.value(raw, key: key, file: configurationName, objectIsSpecial: false)
                    values[key] = byContent[value.content] ?? value
                    sources[key] = configurationName
                }
            }
            for key in Self.extraKeys {
                if let raw = configuration[key], raw != .null {
                    extras += try Self.values(raw, key: key, file: configurationName, objectIsSpecial: false).map { byContent[$0.content] ?? $0 }
                }
            }
        } else {
            let map = try specialTokensMapFile.map { path throws(TokenizerError) in try JSONValue.readObject(path) } ?? [:]
            let mapName = specialTokensMapFile ?? TokenizerFolder.specialTokensMapFileName
            for key in Self.namedKeys {
                if let raw = map[key], raw != .null {
                    values[key] = try Self.value(raw, key: key, file: mapName, objectIsSpecial: true)
                    sources[key] = mapName
                } else if let raw = configuration[key], raw != .null {
                    values[key] = try Self.value(raw, key: key, file: configurationName, objectIsSpecial: false)
                    sources[key] = configurationName
                }
            }
            for key in Self.extraKeys {
                if let raw = map[key], raw != .null {
                    extras += try Self.values(raw, key: key, file: mapName, objectIsSpecial: true)
                } else if let raw = configuration[key], raw != .null {
                    extras += try Self.values(raw, key: key, file: configurationName, objectIsSpecial: false)
                }
            }
        }
        if let padToken {
            values["pad_token"] = .string(padToken)
            sources["pad_token"] = "pad token argument"
        }
        for (key, content) in Self.defaults where values[key] == nil {
            values[key] = .string(content)
            sources[key] = "CLIPTokenizer default"
        }

        let decoderContents = Set(ordered.map(\.content))
        var pending: [Value] = []
        for value in Self.namedKeys.compactMap({ values[$0] }) + extras
        where !decoderContents.contains(value.content) && !pending.contains(value) {
            pending.append(value)
        }
        ordered += pending
        let namedContents = Set(values.values.map(\.content))
        var addedTokens: [AddedToken] = []
        for value in ordered {
            let token = value.addedToken(namedContents: namedContents)
            if let index = addedTokens.firstIndex(where: { $0.content == token.content }) {
                addedTokens[index] = token
            } else {
                addedTokens.append(token)
            }
        }
        self.addedTokens = addedTokens.filter { !$0.content.isEmpty }
        self.named = values.mapValues(\.content)
        self.sources = sources

        switch configuration["model_max_length"] {
        case .number(let length) where length >= 1 && length <= 1_000_000 && length == length.rounded():
            modelMaximumLength = Int(length)
        case nil, .null, .number:
            modelMaximumLength = nil  // transformers writes 1e30 for "no limit"
        case let other?:
            throw .malformedConfiguration(file: configurationName, key: "model_max_length", reason: "must be a number, found \(other.summary)")
        }
    }

    /// A string or an AddedToken object (`{"content": ..., "normalized": ...}`, with or without
    /// `"__type": "AddedToken"`); objects in `special_tokens_map.json` are special.
    private static func value(_ raw: JSONValue, key: String, file: String, objectIsSpecial: Bool) throws(TokenizerError) -> Value {
        switch raw {
        case .string(let content):
            return .string(content)
        case .object(let fields):
            guard case .string(let content)? = fields["content"] else {
                throw .malformedConfiguration(file: file, key: key, reason: "is an object without a string \"content\"")
            }
            for option in ["lstrip", "rstrip", "single_word"] {
                if try flag(fields, option, key: key, file: file) == true {
                    throw .unsupportedConfiguration(file: file, key: "\(key).\(option)", value: "true")
                }
            }
            let declaredSpecial = try flag(fields, "special", key: key, file: file) ?? false
            let special = objectIsSpecial || declaredSpecial
            return .token(content: content, normalized: try flag(fields, "normalized", key: key, file: file), special: special)
        default:
            throw .malformedConfiguration(file: file, key: key, reason: "must be a string or an AddedToken object, found \(raw.summary)")
        }
    }

    private static func flag(_ fields: [String: JSONValue], _ name: String, key: String, file: String) throws(TokenizerError) -> Bool? {
        switch fields[name] {
        case nil, .null: return nil
        case .bool(let value): return value
        case let other?: throw .malformedConfiguration(file: file, key: "\(key).\(name)", reason: "must be true or false, found \(other.summary)")
        }
    }

    private static func values(_ raw: JSONValue, key: String, file: String, objectIsSpecial: Bool) throws(TokenizerError) -> [Value] {
        guard case .array(let items) = raw else {
            throw .malformedConfiguration(file: file, key: key, reason: "must be a list of tokens, found \(raw.summary)")
        }
        var result: [Value] = []
        for (index, item) in items.enumerated() {
            result.append(try value(item, key: "\(key)[\(index)]", file: file, objectIsSpecial: objectIsSpecial))
        }
        return result
    }
}
