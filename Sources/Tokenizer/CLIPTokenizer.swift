// Port of transformers 5.24 `CLIPTokenizer` (models/clip/tokenization_clip.py), the
// tokenizers-backed one: normaliser, pre-tokeniser, BPE model and post-processor as it builds
// them, checked id for id against it on the corpus in Tests/Fixtures/clip-tokenizer.

/// The CLIP byte-level BPE tokenizer of Stable Diffusion's `tokenizer/` folders.
///
/// Loading reads `vocab.json` and `merges.txt` — or, when either is missing, `tokenizer.json`
/// (its `model.vocab`, `model.merges` and `added_tokens`), which is all transformers 5 saves
/// besides `tokenizer_config.json` — and `tokenizer_config.json` and `special_tokens_map.json`
/// (optional). Tokenizing a prompt:
///
/// 1. special tokens (`<|startoftext|>`, `<|endoftext|>`, and the pad token — `!` for SD2.x and
///    SDXL's second tokenizer) are cut out wherever they appear, and stay single tokens;
/// 2. the rest is normalised: Unicode NFC, whitespace runs to one space, lowercase;
/// 3. it is split with the CLIP pattern (words of letters, single digits, runs of other
///    characters, English contractions) and each piece is BPE-encoded from its UTF-8 bytes,
///    with `</w>` marking the end of the piece;
/// 4. ``callAsFunction(_:maximumLength:padding:)`` adds the start and end tokens, truncates and pads.
///
/// A tokenizer is an immutable value; copies share a thread-safe cache of encoded words.
public struct CLIPTokenizer: Sendable {
    /// The folder the files were read from (the `tokenizer/` subfolder of a pipeline).
    public let folder: String
    /// `<|startoftext|>`'s id (49406 in CLIP's vocabulary), put first.
    public let startTokenId: Int
    /// `<|endoftext|>`'s id (49407), put last and kept by truncation.
    public let endTokenId: Int
    /// The padding id: 49407 (`<|endoftext|>`) for SD1.x, 0 (`!`) for SD2.x and SDXL's `tokenizer_2`.
    public let padTokenId: Int
    /// The id that stands for byte symbols missing from the vocabulary (`<|endoftext|>`).
    public let unknownTokenId: Int
    /// `model_max_length` from `tokenizer_config.json` (77 for Stable Diffusion), if set.
    public let modelMaximumLength: Int?

    private let model: BytePairModel
    private let rawTokens: AddedTokenMatcher
    private let normalizedTokens: AddedTokenMatcher

    /// Loads the tokenizer of `folder`: a tokenizer folder (with `vocab.json` and `merges.txt`, or
    /// with `tokenizer.json`), or a pipeline folder that holds it as `subfolder/` (`tokenizer/` by
    /// default; `tokenizer_2` for SDXL's second one). The slow files win when a folder has both
    /// them and `tokenizer.json`. `padToken`, when given, replaces the folder's pad token (as transformers'
    /// `CLIPTokenizer.from_pretrained(folder, pad_token=...)`): `!` turns the CLIP ViT-L/14
    /// tokenizer into SD2.x's.
    public init(folder: String, subfolder: String = "tokenizer", padToken: String? = nil) throws(TokenizerError) {
        let location = try TokenizerFolder(path: folder, subfolder: subfolder)
        let configuration = try SpecialTokenConfiguration(
            configurationFile: location.optionalFile(TokenizerFolder.configurationFileName),
            specialTokensMapFile: location.optionalFile(TokenizerFolder.specialTokensMapFileName),
            padToken: padToken
        )
        let tables = try TokenizerTables.read(location)
        let tokenIds = tables.vocabulary.tokenIds

        func id(_ key: String) throws(TokenizerError) -> Int {
            let content = configuration.named[key] ?? ""
            guard let id = tokenIds[content] else {
                throw .specialTokenNotInVocabulary(file: configuration.sources[key] ?? tables.vocabularyFile, key: key, token: content)
            }
            return id
        }
        startTokenId = try id("bos_token")
        endTokenId = try id("eos_token")
        padTokenId = try id("pad_token")
        let configuredUnknownId = try id("unk_token")
        // tokenizer.json's BPE model names its own unknown token.
        unknownTokenId = tables.unknownToken.flatMap { tokenIds[$0] } ?? configuredUnknownId

        // tokenizer.json's added tokens keep their own options (transformers 5 does not change
        // them from tokenizer_config.json); configured special tokens not among them are added.
        var raw: [(content: [Unicode.Scalar], id: Int)] = []
        var normalized: [(content: [Unicode.Scalar], id: Int)] = []
        func add(_ content: String, id tokenId: Int, normalized isNormalized: Bool) {
            if isNormalized {
                normalized.append((TextNormalizer.normalize(content), tokenId))
            } else {
                raw.append((Array(content.unicodeScalars), tokenId))
            }
        }
        for token in tables.addedTokens where !token.content.isEmpty {
            add(token.content, id: token.id, normalized: token.normalized)
        }
        let declaredContents = Set(tables.addedTokens.map(\.content))
        for token in configuration.addedTokens where !declaredContents.contains(token.content) {
            guard let tokenId = tokenIds[token.content] else {
                let key = configuration.named.first(where: { $0.value == token.content })?.key ?? "added token"
                throw .specialTokenNotInVocabulary(file: configuration.sources[key] ?? tables.vocabularyFile, key: key, token: token.content)
            }
            add(token.content, id: tokenId, normalized: token.normalized)
        }
        rawTokens = AddedTokenMatcher(raw)
        normalizedTokens = AddedTokenMatcher(normalized)
        model = try BytePairModel(vocabulary: tables.vocabulary, merges: tables.merges, mergesFile: tables.mergesFile,
                                  unknownTokenId: unknownTokenId)
        self.folder = location.path
        modelMaximumLength = configuration.modelMaximumLength
    }

    /// The number of entries in `vocab.json` or `model.vocab` (49,408 for CLIP).
    public var vocabularySize: Int { model.vocabulary.tokenIds.count }

    /// The id of a vocabulary string (`"cat</w>"`, `"<|endoftext|>"`), if it has one.
    public func id(of token: String) -> Int? { model.vocabulary.tokenIds[token] }

    /// The vocabulary string of an id, if the vocabulary has it.
    public func token(of id: Int) -> String? { model.vocabulary.tokens[id] }

    /// The ids of `text` without the start and end tokens, untruncated: transformers'
    /// `tokenizer(text, add_special_tokens=False).input_ids`. Special tokens typed in the text
    /// are kept as their ids.
    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        let scalars = Array(text.unicodeScalars)
        for segment in rawTokens.split(scalars, in: 0..<scalars.count) {
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let range):
                let normalized = TextNormalizer.normalize(scalars[range])
                for inner in normalizedTokens.split(normalized, in: 0..<normalized.count) {
                    switch inner {
                    case .token(let id):
                        ids.append(id)
                    case .text(let innerRange):
                        for piece in PreTokenizer.pieces(normalized, in: innerRange) {
                            ids.append(contentsOf: model.encode(word: ByteLevelAlphabet.utf8Bytes(normalized, in: piece)))
                        }
                    }
                }
            }
        }
        return ids
    }

    /// The vocabulary strings of ``encode(_:)``'s ids (transformers' `tokenize`).
    public func tokenize(_ text: String) -> [String] {
        encode(text).map { model.vocabulary.tokens[$0] ?? "" }
    }

    /// Tokenizes one prompt for the text encoder: transformers'
    /// `tokenizer(text, max_length=maximumLength, truncation=True, padding="max_length" or False)`.
    ///
    /// - Parameters:
    ///   - text: the prompt.
    ///   - maximumLength: the length to truncate to (keeping the start and end tokens) and to pad
    ///     to. As in transformers, a value below 2 disables truncation.
    ///   - padding: whether to pad ``TokenizedPrompt/ids`` with ``padTokenId`` to `maximumLength`.
    public func callAsFunction(_ text: String, maximumLength: Int = 77, padding: Bool = true) -> TokenizedPrompt {
        let content = encode(text)
        let kept = maximumLength >= 2 ? content.prefix(maximumLength - 2) : content[...]
        var ids = [startTokenId] + kept + [endTokenId]
        let count = ids.count
        if padding && ids.count < maximumLength {
            ids += Array(repeating: padTokenId, count: maximumLength - ids.count)
        }
        return TokenizedPrompt(ids: ids, tokens: ids.map { model.vocabulary.tokens[$0] ?? "" }, count: count,
                               untruncatedCount: content.count + 2)
    }

    /// Tokenizes a batch of prompts, each as ``callAsFunction(_:maximumLength:padding:)`` does;
    /// with padding every row has `maximumLength` ids.
    public func callAsFunction(_ texts: [String], maximumLength: Int = 77, padding: Bool = true) -> [TokenizedPrompt] {
        texts.map { self($0, maximumLength: maximumLength, padding: padding) }
    }
}
