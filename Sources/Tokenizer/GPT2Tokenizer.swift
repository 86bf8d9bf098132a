// Port of transformers 5.24 `GPT2Tokenizer` (models/gpt2/tokenization_gpt2.py), the
// tokenizers-backed one that OPT and BLIP-2 (Salesforce/blip2-opt-2.7b) use, read from the
// `tokenizer.json` it saves; checked id for id, and decoded text for text, against it on the
// corpus in Tests/Fixtures/blip2/tokenizer-corpus.json.

/// The GPT-2 byte-level BPE tokenizer (OPT's, and so BLIP-2 OPT's), loaded from `tokenizer.json`.
///
/// Encoding, as tokenizers 0.23 runs it:
/// 1. added tokens (`</s>`, `<pad>`, `<unk>`, BLIP-2's `<image>`, ...) are cut out wherever they
///    appear and stay single tokens (leftmost, longest match);
/// 2. no normalisation; the rest is split with GPT-2's pattern
///    `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (a space stays
///    at the front of the word after it) and each piece is BPE-encoded from its UTF-8 bytes,
///    with no end-of-word marker;
/// 3. the post-processor's template adds its special tokens: OPT's puts `</s>` (id 2) first.
///
/// Decoding maps every token back to its bytes (GPT-2's byte alphabet) and reads them as UTF-8,
/// with U+FFFD for invalid sequences, as tokenizers' `ByteLevel` decoder does; special tokens
/// can be left out. A tokenizer is an immutable value; copies share a thread-safe word cache.
///
/// A folder without `tokenizer.json` is read from its slow files (`vocab.json`, `merges.txt`,
/// `tokenizer_config.json`; ``GPT2SlowTokenizerFiles``), as transformers builds the same tokenizer
/// from them.
///
/// Limitations: the pre-tokeniser must be `ByteLevel` with `add_prefix_space: false` and no
/// normaliser, the post-processor `TemplateProcessing`, `ByteLevel` or none; anything else is
/// refused by name.
public struct GPT2Tokenizer: Sendable {
    /// The folder the files were read from.
    public let folder: String
    /// The ids the post-processor puts before the text (`[2]`, `</s>`, for OPT).
    public let prefixTokenIds: [Int]
    /// The ids the post-processor puts after the text (none for OPT).
    public let suffixTokenIds: [Int]

    private let model: BytePairModel
    private let addedTokens: AddedTokenMatcher
    private let addedTokenContents: [Int: (content: String, special: Bool)]
    private let tokenIds: [String: Int]

    /// Loads `folder/tokenizer.json` (a BLIP-2 or OPT model folder holds it at the top level), or,
    /// when there is none, `vocab.json` + `merges.txt` with `tokenizer_config.json` (older snapshots).
    public init(folder: String) throws(TokenizerError) {
        let location = try TokenizerFolder(path: folder, subfolder: "tokenizer")
        guard let file = location.optionalFile(TokenizerFolder.tokenizerJSONFileName) else {
            guard location.optionalFile(TokenizerFolder.vocabularyFileName) != nil || location.optionalFile(TokenizerFolder.mergesFileName) != nil else {
                throw .missingFile(path: location.file(TokenizerFolder.tokenizerJSONFileName))
            }
            let (tables, prefix, suffix) = try GPT2SlowTokenizerFiles.read(location)
            try self.init(tables: tables, prefixTokenIds: prefix, suffixTokenIds: suffix, folder: location.path)
            return
        }
        let (tables, shape) = try TokenizerJSONFile.readWithSections(file, endOfWordSuffix: nil)
        try GPT2TokenizerSections.checkPreTokenizer(shape, file: file)
        let template = try GPT2TokenizerSections.template(shape, file: file, tokenIds: tables.vocabulary.tokenIds)
        try self.init(tables: tables, prefixTokenIds: template.prefix, suffixTokenIds: template.suffix, folder: location.path)
    }

    /// A tokenizer over GPT-2's 256 byte symbols and no merges (every byte one token), with
    /// `specialTokens` (`["<s>", "<pad>", "</s>", "<unk>"]` for OPT) first at ids 0, 1, ..., the
    /// bytes after them and `addedTokens` (such as `<image>`) last; the built-in `tiny-random`
    /// captioner's. `prefixTokens` are put before every text (OPT: `["</s>"]`).
    public static func byteLevel(specialTokens: [String], addedTokens: [String], prefixTokens: [String]) throws(TokenizerError) -> GPT2Tokenizer {
        var vocabulary = Vocabulary(capacity: specialTokens.count + 256 + addedTokens.count)
        var added: [TokenizerTables.AddedToken] = []
        for (id, token) in specialTokens.enumerated() {
            vocabulary.insert(token, id: id)
            added.append(.init(content: token, id: id, normalized: false, special: true))
        }
        for character in ByteLevelAlphabet.characters { vocabulary.insert(String(character), id: vocabulary.tokenIds.count) }
        for token in addedTokens {
            let id = vocabulary.tokenIds.count
            vocabulary.insert(token, id: id)
            added.append(.init(content: token, id: id, normalized: false, special: true))
        }
        let tables = TokenizerTables(vocabulary: vocabulary, merges: [], vocabularyFile: "(byte-level)", mergesFile: "(byte-level)",
                                     addedTokens: added, unknownToken: nil)
        let prefix = prefixTokens.compactMap { vocabulary.tokenIds[$0] }
        return try GPT2Tokenizer(tables: tables, prefixTokenIds: prefix, suffixTokenIds: [], folder: "(byte-level)")
    }

    init(tables: TokenizerTables, prefixTokenIds: [Int], suffixTokenIds: [Int], folder: String) throws(TokenizerError) {
        self.prefixTokenIds = prefixTokenIds
        self.suffixTokenIds = suffixTokenIds
        var contents: [Int: (content: String, special: Bool)] = [:]
        for token in tables.addedTokens { contents[token.id] = (token.content, token.special) }
        addedTokenContents = contents
        // No normaliser: normalised and raw added tokens are matched alike, on the raw text.
        addedTokens = AddedTokenMatcher(tables.addedTokens.map { (Array($0.content.unicodeScalars), $0.id) })
        tokenIds = tables.vocabulary.tokenIds
        model = try BytePairModel(vocabulary: tables.vocabulary, merges: tables.merges, mergesFile: tables.mergesFile,
                                  unknownTokenId: tables.unknownToken.flatMap { tables.vocabulary.tokenIds[$0] },
                                  endOfWordSuffix: nil)
        self.folder = folder
    }

    /// The number of tokens in `model.vocab` and `added_tokens` together (50,266 for blip2-opt-2.7b).
    public var vocabularySize: Int { tokenIds.count }

    /// The id of `token` (`"</s>"`, `"<image>"`, `"Ċ"`), if it is in the vocabulary.
    public func id(of token: String) -> Int? { tokenIds[token] }

    /// The token string of `id` (byte-level characters: `"Ġcat"` for " cat"), if there is one.
    public func token(of id: Int) -> String? { model.vocabulary.tokens[id] ?? addedTokenContents[id]?.content }

    /// The ids of `text`; with `addSpecialTokens` the post-processor's tokens (OPT: `</s>` first)
    /// are added, as `tokenizer(text).input_ids` does.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var ids = addSpecialTokens ? prefixTokenIds : []
        for segment in addedTokens.split(scalars, in: 0..<scalars.count) {
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let range):
                for piece in PreTokenizer.gpt2Pieces(scalars, in: range) {
                    ids.append(contentsOf: model.encode(word: ByteLevelAlphabet.utf8Bytes(scalars, in: piece)))
                }
            }
        }
        if addSpecialTokens { ids.append(contentsOf: suffixTokenIds) }
        return ids
    }

    /// The text of `ids`, as `tokenizer.decode(ids, skip_special_tokens:)` gives it (no clean-up of
    /// spaces, which transformers 5 leaves off for GPT-2). Ids with no token are left out.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            let text: String
            if let added = addedTokenContents[id] {
                if skipSpecialTokens && added.special { continue }
                text = added.content
            } else if let token = model.vocabulary.tokens[id] {
                text = token
            } else {
                continue
            }
            ByteLevelAlphabet.appendBytes(of: text, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
