/// The BPE tables of a tokenizer folder, from one of its two layouts:
///
/// - `vocab.json` + `merges.txt` (the "slow" files every Stable Diffusion `tokenizer/` ships);
/// - `tokenizer.json` (what transformers 5 `save_pretrained` writes, with `tokenizer_config.json`
///   and no slow files).
///
/// When a folder has both `vocab.json` and `merges.txt`, they are read and `tokenizer.json` is
/// ignored: that keeps every existing folder loading exactly as before, and the two describe
/// the same tables in folders saved by transformers. `tokenizer.json` is read when either slow
/// file is missing.
struct TokenizerTables {
    /// One `added_tokens` entry of `tokenizer.json`.
    struct AddedToken {
        let content: String
        let id: Int
        /// Whether it is matched after normalisation (so in any case), rather than as typed.
        let normalized: Bool
        /// Whether it is a special token (left out when decoding with special tokens skipped).
        var special: Bool = false
    }

    /// Token <-> id (with `tokenizer.json`'s added tokens that `model.vocab` lacks).
    let vocabulary: Vocabulary
    /// The merge pairs in rank order, with the line (merges.txt) or index (tokenizer.json) of each.
    let merges: [(left: String, right: String, line: Int)]
    /// The file named when a token is missing from the vocabulary.
    let vocabularyFile: String
    /// The file named when a merge is malformed.
    let mergesFile: String
    /// The added tokens that come with the tables (`tokenizer.json`'s `added_tokens`; none for
    /// the slow files, whose added tokens all come from the configuration files).
    let addedTokens: [AddedToken]
    /// `model.unk_token` of `tokenizer.json`, if set.
    let unknownToken: String?

    /// The tables of the tokenizer folder `location`.
    static func read(_ location: TokenizerFolder) throws(TokenizerError) -> TokenizerTables {
        let vocabularyFile = location.optionalFile(TokenizerFolder.vocabularyFileName)
        let mergesFile = location.optionalFile(TokenizerFolder.mergesFileName)
        if let vocabularyFile, let mergesFile {
            return TokenizerTables(vocabulary: try VocabularyFile.read(vocabularyFile), merges: try MergesFile.read(mergesFile),
                                   vocabularyFile: vocabularyFile, mergesFile: mergesFile, addedTokens: [], unknownToken: nil)
        }
        if let tokenizerFile = location.optionalFile(TokenizerFolder.tokenizerJSONFileName) {
            return try TokenizerJSONFile.read(tokenizerFile)
        }
        // Neither layout is complete: name the first missing slow file.
        _ = try location.requiredFile(TokenizerFolder.vocabularyFileName)
        _ = try location.requiredFile(TokenizerFolder.mergesFileName)
        throw .missingFile(path: location.file(TokenizerFolder.tokenizerJSONFileName))
    }
}
