import TensorRuntime

/// How a stream turns prompts into token embeddings. The session calls it off the frame loop
/// (in a detached task) for prompts it has not encoded yet, so an implementation may take its
/// time; tests inject one that counts or holds back calls.
public protocol StreamPromptEncoding: Sendable {
    /// Token embeddings [N, S, D] of `prompts` (N = prompts.count), in order.
    func encode(_ prompts: [PromptInput]) async throws -> Tensor
}

/// The model's own text encoder (CLIP last hidden state, as the one-shot pipeline encodes:
/// ALGORITHM.md §3, docs/REFERENCE_PIPELINE.md R3).
public struct TextEncoderPromptEncoding: StreamPromptEncoding {
    /// The networks whose text encoder and tokenizer are used.
    public let models: StreamModels

    /// Encodes with `models.textEncoder` (and `models.tokenizer` for text prompts).
    public init(models: StreamModels) {
        self.models = models
    }

    public func encode(_ prompts: [PromptInput]) async throws -> Tensor {
        try Task.checkCancellation()
        return try models.encode(prompts)
    }
}

extension PromptInput {
    /// A key that identifies the prompt (text or token ids) in the session's embedding cache.
    var cacheKey: String {
        switch self {
        case .text(let text): return "text:" + text
        case .tokenIDs(let ids): return "ids:" + ids.map(String.init).joined(separator: ",")
        }
    }
}

/// Token embeddings [1, S, D] of the prompts a session has encoded, by ``PromptInput/cacheKey``.
struct StreamPromptCache {
    private var embeddings: [String: Tensor] = [:]

    func embedding(for prompt: PromptInput) -> Tensor? { embeddings[prompt.cacheKey] }

    func contains(_ prompt: PromptInput) -> Bool { embeddings[prompt.cacheKey] != nil }

    /// Stores row n of `batch` [N, S, D] for prompts[n].
    mutating func insert(prompts: [PromptInput], batch: Tensor) {
        for (index, prompt) in prompts.enumerated() where index < batch.shape[0] {
            embeddings[prompt.cacheKey] = batch.slice(outer: index, length: 1)
        }
    }

    /// Drops every embedding whose prompt is not in `prompts`.
    mutating func retain(only prompts: [PromptInput]) {
        let keep = Set(prompts.map(\.cacheKey))
        embeddings = embeddings.filter { keep.contains($0.key) }
    }
}
