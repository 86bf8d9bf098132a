/// The `tokenizer.json` sections that ``GPT2Tokenizer`` checks (the normaliser and pre-tokeniser,
/// which it implements in code) and reads (the post-processor's template of special tokens).
enum GPT2TokenizerSections {
    /// Refuses a normaliser, and any pre-tokeniser other than `ByteLevel` with
    /// `add_prefix_space: false` and `use_regex: true` (GPT-2's and OPT's).
    static func checkPreTokenizer(_ shape: TokenizerJSONShape, file: String) throws(TokenizerError) {
        if let normalizer = shape.normalizer, normalizer != .null {
            throw .unsupportedConfiguration(file: file, key: "normalizer", value: normalizer.summary + " (GPT-2's tokenizer has none)")
        }
        guard case .object(let preTokenizer) = shape.preTokenizer ?? .null else {
            throw .unsupportedConfiguration(file: file, key: "pre_tokenizer", value: (shape.preTokenizer ?? .null).summary + " (expected ByteLevel)")
        }
        guard preTokenizer["type"] == .string("ByteLevel") else {
            throw .unsupportedConfiguration(file: file, key: "pre_tokenizer.type", value: (preTokenizer["type"] ?? .null).summary + " (expected \"ByteLevel\")")
        }
        // tokenizers' defaults: add_prefix_space true, use_regex true.
        guard (preTokenizer["add_prefix_space"] ?? .bool(true)) == .bool(false) else {
            throw .unsupportedConfiguration(file: file, key: "pre_tokenizer.add_prefix_space", value: "true (only false, GPT-2's and OPT's, is supported)")
        }
        guard (preTokenizer["use_regex"] ?? .bool(true)) == .bool(true) else {
            throw .unsupportedConfiguration(file: file, key: "pre_tokenizer.use_regex", value: "false")
        }
    }

    /// The special-token ids the post-processor puts before and after one sequence: from a
    /// `TemplateProcessing` `single` template (`[{"SpecialToken": {"id": "</s>"}}, {"Sequence": ...}]`),
    /// none for `ByteLevel` or no post-processor.
    static func template(_ shape: TokenizerJSONShape, file: String, tokenIds: [String: Int]) throws(TokenizerError) -> (prefix: [Int], suffix: [Int]) {
        guard let processor = shape.postProcessor, processor != .null else { return ([], []) }
        guard case .object(let object) = processor, case .string(let type)? = object["type"] else {
            throw .malformedConfiguration(file: file, key: "post_processor", reason: "must be an object with a \"type\"")
        }
        if type == "ByteLevel" { return ([], []) }
        guard type == "TemplateProcessing" else {
            throw .unsupportedConfiguration(file: file, key: "post_processor.type", value: "\"\(type)\" (expected TemplateProcessing or ByteLevel)")
        }
        guard case .array(let pieces)? = object["single"] else {
            throw .malformedConfiguration(file: file, key: "post_processor.single", reason: "must be an array")
        }
        var prefix: [Int] = []
        var suffix: [Int] = []
        var sawSequence = false
        for (index, piece) in pieces.enumerated() {
            let key = "post_processor.single[\(index)]"
            guard case .object(let entry) = piece else {
                throw .malformedConfiguration(file: file, key: key, reason: "must be an object")
            }
            if entry["Sequence"] != nil {
                sawSequence = true
                continue
            }
            guard case .object(let special)? = entry["SpecialToken"], case .string(let name)? = special["id"] else {
                throw .malformedConfiguration(file: file, key: key, reason: "must be {\"Sequence\": ...} or {\"SpecialToken\": {\"id\": ...}}")
            }
            let ids = try specialTokenIds(name, object: object, file: file, tokenIds: tokenIds)
            if sawSequence { suffix.append(contentsOf: ids) } else { prefix.append(contentsOf: ids) }
        }
        guard sawSequence else {
            throw .malformedConfiguration(file: file, key: "post_processor.single", reason: "has no {\"Sequence\": ...} entry")
        }
        return (prefix, suffix)
    }

    /// The ids of the template's special token `name`: its `special_tokens` entry's `ids`, else its id in the vocabulary.
    private static func specialTokenIds(_ name: String, object: [String: JSONValue], file: String, tokenIds: [String: Int]) throws(TokenizerError) -> [Int] {
        if case .object(let specials)? = object["special_tokens"], case .object(let entry)? = specials[name],
           case .array(let values)? = entry["ids"] {
            var ids: [Int] = []
            for value in values {
                guard case .number(let number) = value, number >= 0, number == number.rounded() else {
                    throw .malformedConfiguration(file: file, key: "post_processor.special_tokens[\"\(name)\"].ids", reason: "must hold non-negative integer ids")
                }
                ids.append(Int(number))
            }
            return ids
        }
        guard let id = tokenIds[name] else {
            throw .specialTokenNotInVocabulary(file: file, key: "post_processor.single", token: name)
        }
        return [id]
    }
}
