import Foundation

/// Reads the BPE tables of a tokenizers `tokenizer.json` (what transformers 5 `save_pretrained`
/// writes instead of `vocab.json` and `merges.txt`): `model.vocab`, `model.merges` (as
/// `"left right"` strings or `["left", "right"]` pairs) and `added_tokens`. The model must be
/// a byte-level BPE: `type` `"BPE"`, `end_of_word_suffix` `"</w>"` (CLIP) or none (GPT-2, OPT),
/// no continuing-subword prefix, dropout, byte fallback, fused unknowns or ignored merges.
/// Errors name the file and the key (`model.vocab`, `model.merges[12]`, `added_tokens[0].content`).
enum TokenizerJSONFile {
    /// The tables of the file at `path`, whose BPE must use `endOfWordSuffix` (nil: none).
    static func read(_ path: String, endOfWordSuffix: String? = BytePairModel.endOfWordSuffix) throws(TokenizerError) -> TokenizerTables {
        try readWithSections(path, endOfWordSuffix: endOfWordSuffix).tables
    }

    /// The tables of the file at `path` and its decoded sections (for the pre-tokeniser and
    /// post-processor checks of ``GPT2Tokenizer``).
    static func readWithSections(_ path: String, endOfWordSuffix: String?) throws(TokenizerError) -> (tables: TokenizerTables, shape: TokenizerJSONShape) {
        let data = try TokenizerFolder.contents(of: path)
        let shape: TokenizerJSONShape
        do {
            shape = try JSONDecoder().decode(TokenizerJSONShape.self, from: data)
        } catch let error as DecodingError {
            throw failure(error, file: path)
        } catch {
            throw .malformedConfiguration(file: path, key: "(file)", reason: "is not valid JSON (\(error))")
        }
        let model = shape.model
        try checkOptions(model, file: path, endOfWordSuffix: endOfWordSuffix)

        var vocabulary = Vocabulary(capacity: model.vocabulary.count)
        for (token, id) in model.vocabulary {
            guard id >= 0, id <= Int(UInt32.max) else {
                throw .malformedConfiguration(file: path, key: "model.vocab[\(quoted(token))]", reason: "is \(id), not a non-negative integer id")
            }
            vocabulary.insert(token, id: id)
        }
        let tokenIds = vocabulary.tokenIds
        var merges: [(left: String, right: String, line: Int)] = []
        merges.reserveCapacity(model.merges.count)
        for (index, merge) in model.merges.enumerated() {
            for token in [merge.left, merge.right, merge.left + merge.right] where tokenIds[token] == nil {
                throw .malformedConfiguration(file: path, key: "model.merges[\(index)]",
                                              reason: "names \(quoted(token)), which is not in model.vocab")
            }
            merges.append((merge.left, merge.right, index))
        }

        var addedTokens: [TokenizerTables.AddedToken] = []
        for (index, entry) in (shape.addedTokens ?? []).enumerated() {
            let key = "added_tokens[\(index)]"
            for (option, value) in [("single_word", entry.singleWord), ("lstrip", entry.leftStrip), ("rstrip", entry.rightStrip)]
            where value == true {
                throw .unsupportedConfiguration(file: path, key: "\(key).\(option)", value: "true")
            }
            guard entry.id >= 0, entry.id <= Int(UInt32.max) else {
                throw .malformedConfiguration(file: path, key: "\(key).id", reason: "is \(entry.id), not a non-negative integer id")
            }
            // As tokenizers restores added tokens: a content in model.vocab keeps the vocabulary's
            // id, another one takes the entry's; a left-out `normalized` is `!special`.
            let id = vocabulary.tokenIds[entry.content] ?? entry.id
            if vocabulary.tokenIds[entry.content] == nil { vocabulary.insert(entry.content, id: id) }
            addedTokens.append(.init(content: entry.content, id: id, normalized: entry.normalized ?? !(entry.special ?? false),
                                     special: entry.special ?? false))
        }
        let tables = TokenizerTables(vocabulary: vocabulary, merges: merges, vocabularyFile: path, mergesFile: path,
                                     addedTokens: addedTokens, unknownToken: model.unknownToken)
        return (tables, shape)
    }

    /// Refuses model types and BPE options that would tokenize differently from the expected BPE.
    private static func checkOptions(_ model: TokenizerJSONShape.Model, file: String, endOfWordSuffix: String?) throws(TokenizerError) {
        if let type = model.type, type != "BPE" {
            throw .unsupportedConfiguration(file: file, key: "model.type", value: quoted(type) + " (a byte-level BPE tokenizer is \"BPE\")")
        }
        guard (model.endOfWordSuffix ?? "") == (endOfWordSuffix ?? "") else {
            let expected = endOfWordSuffix.map { "CLIP's BPE marks word ends with \(quoted($0))" } ?? "GPT-2's BPE has no end-of-word suffix"
            throw .unsupportedConfiguration(file: file, key: "model.end_of_word_suffix",
                                            value: (model.endOfWordSuffix.map(quoted) ?? "null") + " (\(expected))")
        }
        if let prefix = model.continuingSubwordPrefix, !prefix.isEmpty {
            throw .unsupportedConfiguration(file: file, key: "model.continuing_subword_prefix", value: quoted(prefix))
        }
        if let dropout = model.dropout, dropout != 0 {
            throw .unsupportedConfiguration(file: file, key: "model.dropout", value: "\(dropout)")
        }
        for (key, value) in [("fuse_unk", model.fuseUnknown), ("byte_fallback", model.byteFallback), ("ignore_merges", model.ignoreMerges)]
        where value == true {
            throw .unsupportedConfiguration(file: file, key: "model.\(key)", value: "true")
        }
    }

    /// A decoding error as a message naming the key path (`model.merges[3]`) and what is wrong.
    private static func failure(_ error: DecodingError, file: String) -> TokenizerError {
        switch error {
        case let .keyNotFound(key, context):
            return .malformedConfiguration(file: file, key: keyPath(context.codingPath + [key]), reason: "is missing")
        case let .valueNotFound(_, context):
            return .malformedConfiguration(file: file, key: keyPath(context.codingPath), reason: "must not be null")
        case let .typeMismatch(_, context), let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                let underlying = context.underlyingError.map { " (\($0))" } ?? ""
                return .malformedConfiguration(file: file, key: "(file)", reason: "is not a valid JSON object: \(context.debugDescription)\(underlying)")
            }
            return .malformedConfiguration(file: file, key: keyPath(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .malformedConfiguration(file: file, key: "(file)", reason: "could not be read (\(error))")
        }
    }

    /// `model.merges[3]`, `model.vocab["cat</w>"]`: array indices in brackets, identifier keys
    /// after dots, vocabulary tokens and other keys quoted in brackets.
    private static func keyPath(_ path: [any CodingKey]) -> String {
        var result = ""
        for component in path {
            if let index = component.intValue, component.stringValue == "Index \(index)" {
                result += "[\(index)]"
            } else if result != "model.vocab", !component.stringValue.isEmpty,
                      component.stringValue.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0 == "_") }) {
                result += (result.isEmpty ? "" : ".") + component.stringValue
            } else {
                result += "[\(quoted(component.stringValue))]"
            }
        }
        return result.isEmpty ? "(file)" : result
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "\""
    }
}
