/// The "slow" files of an OPT/GPT-2 tokenizer folder without `tokenizer.json` (`vocab.json`,
/// `merges.txt`, `tokenizer_config.json`, and in older snapshots `special_tokens_map.json` and
/// `added_tokens.json`), read as transformers 5.24 builds its `GPT2Tokenizer` from them:
///
/// - the BPE tables of `vocab.json` and `merges.txt`, no unknown token;
/// - the added tokens of `tokenizer_config.json`'s `added_tokens_decoder` (id -> token, with its
///   `special` flag), or, without it, of `added_tokens.json` (token -> id; special only when a
///   special token names it, as transformers' legacy path does); tokens beyond `vocab.json`'s ids
///   (BLIP-2's `<image>`) join the vocabulary with their id;
/// - the special tokens the configuration names (`bos_token`, `eos_token`, ...; from
///   `tokenizer_config.json`, or `special_tokens_map.json` in the legacy layout) are added tokens
///   too, and must be in the vocabulary (transformers would append unknown ones; refused here);
/// - the post-processor transformers makes: `bos_token` first when `add_bos_token` is true
///   (OPT's `</s>`), `eos_token` last when `add_eos_token` is true, nothing otherwise.
///
/// Checked against transformers 5.24 on Tests/Fixtures/blip2-slow-tokenizer (both layouts).
/// `add_prefix_space: true` is refused by name, as in `tokenizer.json`.
enum GPT2SlowTokenizerFiles {
    static func read(_ location: TokenizerFolder) throws(TokenizerError) -> (tables: TokenizerTables, prefix: [Int], suffix: [Int]) {
        let vocabularyFile = try location.requiredFile(TokenizerFolder.vocabularyFileName)
        let mergesFile = try location.requiredFile(TokenizerFolder.mergesFileName)
        var vocabulary = try VocabularyFile.read(vocabularyFile)
        let merges = try MergesFile.read(mergesFile)
        let configurationFile = location.optionalFile(TokenizerFolder.configurationFileName)
        let configurationName = configurationFile ?? location.file(TokenizerFolder.configurationFileName)
        let configuration = try configurationFile.map { path throws(TokenizerError) in try JSONValue.readObject(path) } ?? [:]
        if configuration["add_prefix_space"] == .bool(true) {
            throw .unsupportedConfiguration(file: configurationName, key: "add_prefix_space", value: "true (only false, GPT-2's and OPT's, is supported)")
        }
        let mapFile = location.optionalFile(TokenizerFolder.specialTokensMapFileName)
        let specials = try SpecialTokenConfiguration(configurationFile: configurationFile, specialTokensMapFile: mapFile)
        // Only the tokens the files name (not CLIPTokenizer's defaults).
        let fromFiles = Set([configurationFile, mapFile].compactMap { $0 })
        let named = specials.named.filter { fromFiles.contains(specials.sources[$0.key] ?? "") }

        var added: [TokenizerTables.AddedToken] = []
        if let decoder = configuration["added_tokens_decoder"] {
            guard case .object(let entries) = decoder else {
                throw .malformedConfiguration(file: configurationName, key: "added_tokens_decoder", reason: "must be an object of id -> AddedToken")
            }
            for (idText, entry) in entries {
                let key = "added_tokens_decoder.\(idText)"
                guard let id = Int(idText), id >= 0 else {
                    throw .malformedConfiguration(file: configurationName, key: key, reason: "has a key that is not a non-negative integer id")
                }
                guard case .object(let fields) = entry, case .string(let content)? = fields["content"] else {
                    throw .malformedConfiguration(file: configurationName, key: key, reason: "must be an AddedToken object with a string \"content\"")
                }
                let special: Bool
                switch fields["special"] ?? .bool(false) {
                case .bool(let flag): special = flag
                default: throw .malformedConfiguration(file: configurationName, key: key + ".special", reason: "must be true or false")
                }
                added.append(.init(content: content, id: id, normalized: false, special: special))
            }
        } else if let addedFile = location.optionalFile("added_tokens.json") {
            let namedContents = Set(named.values)
            for (content, value) in try JSONValue.readObject(addedFile) {
                guard case .number(let number) = value, number >= 0, number == number.rounded(), number < 1e9 else {
                    throw .malformedConfiguration(file: addedFile, key: content, reason: "must map to a non-negative integer id")
                }
                added.append(.init(content: content, id: Int(number), normalized: false, special: namedContents.contains(content)))
            }
        }
        let addedContents = Set(added.map(\.content))
        for key in SpecialTokenConfiguration.namedKeys {
            guard let content = named[key], !addedContents.contains(content) else { continue }
            guard let id = vocabulary.tokenIds[content] else {
                throw .specialTokenNotInVocabulary(file: specials.sources[key] ?? configurationName, key: key, token: content)
            }
            added.append(.init(content: content, id: id, normalized: false, special: true))
        }
        added.sort { $0.id < $1.id }
        for token in added {
            if let existing = vocabulary.tokens[token.id], existing != token.content {
                throw .malformedConfiguration(file: configurationName, key: "added_tokens_decoder.\(token.id)",
                                              reason: "gives id \(token.id) to \"\(token.content)\", which vocab.json gives to \"\(existing)\"")
            }
            vocabulary.insert(token.content, id: token.id)
        }

        func flag(_ key: String) throws(TokenizerError) -> Bool {
            switch configuration[key] ?? .bool(false) {
            case .bool(let value): return value
            case .null: return false
            default: throw .malformedConfiguration(file: configurationName, key: key, reason: "must be true or false")
            }
        }
        func ids(_ flagKey: String, _ tokenKey: String) throws(TokenizerError) -> [Int] {
            guard try flag(flagKey) else { return [] }
            guard let content = named[tokenKey] else {
                throw .malformedConfiguration(file: configurationName, key: flagKey, reason: "is true but no \(tokenKey) is named")
            }
            guard let id = vocabulary.tokenIds[content] else {
                throw .specialTokenNotInVocabulary(file: configurationName, key: tokenKey, token: content)
            }
            return [id]
        }
        let tables = TokenizerTables(vocabulary: vocabulary, merges: merges, vocabularyFile: vocabularyFile, mergesFile: mergesFile,
                                     addedTokens: added, unknownToken: nil)
        return (tables, try ids("add_bos_token", "bos_token"), try ids("add_eos_token", "eos_token"))
    }
}
