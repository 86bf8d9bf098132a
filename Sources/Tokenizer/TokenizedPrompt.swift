/// One prompt after tokenization: the ids a CLIP text encoder takes, with their token strings.
public struct TokenizedPrompt: Sendable, Equatable {
    /// The start token, the prompt's tokens (cut so that the end token still fits), the end
    /// token, then — when padding was asked for — the pad token up to the maximum length.
    public let ids: [Int]
    /// The vocabulary string of each id in ``ids`` (byte-level BPE strings such as `cat</w>`,
    /// and the special tokens' text), as transformers' `convert_ids_to_tokens` gives them.
    public let tokens: [String]
    /// The number of ids before padding, both special tokens included.
    public let count: Int
    /// The number of ids the prompt would need without truncation, both special tokens included.
    public let untruncatedCount: Int

    /// Whether prompt tokens were dropped to fit the maximum length.
    public var truncated: Bool { untruncatedCount > count }

    /// 1 for the ``count`` real tokens, 0 for padding (transformers' `attention_mask`).
    public var attentionMask: [Int] {
        Array(repeating: 1, count: count) + Array(repeating: 0, count: ids.count - count)
    }

    /// Creates a tokenized prompt from its parts (``CLIPTokenizer`` makes these).
    public init(ids: [Int], tokens: [String], count: Int, untruncatedCount: Int) {
        self.ids = ids
        self.tokens = tokens
        self.count = count
        self.untruncatedCount = untruncatedCount
    }
}
