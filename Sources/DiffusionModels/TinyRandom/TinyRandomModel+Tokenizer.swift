extension TinyRandomModel {
    /// The tokenizer folder's files (`vocab.json`, `merges.txt`, `tokenizer_config.json`,
    /// `special_tokens_map.json`) by file name: the byte-level vocabulary of ``TinyRandomVocabulary``
    /// with no merges, exactly as ``export(to:overwrite:)`` writes them.
    public static var tokenizerFiles: [String: String] {
        [
            "vocab.json": TinyRandomVocabulary.vocabularyJSON(),
            "merges.txt": TinyRandomConfigurations.merges,
            "tokenizer_config.json": TinyRandomConfigurations.tokenizerConfiguration,
            "special_tokens_map.json": TinyRandomConfigurations.specialTokensMap,
        ]
    }
}
