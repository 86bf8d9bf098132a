import TensorRuntime

/// How a stream turns prompts into text conditioning. The session calls it off the frame loop
/// (in a detached task) for prompts it has not encoded yet, so an implementation may take its
/// time; tests inject one that counts or holds back calls.
public protocol StreamPromptEncoding: Sendable {
    /// The conditioning of `prompts` (one row each, in order).
    func encode(_ prompts: [PromptInput]) async throws -> TextConditioning
}

/// The model's own prompt encoder (``PromptEncoder``, as the one-shot pipeline encodes:
/// docs/ALGORITHM.md §3, docs/REFERENCE_PIPELINE.md R3).
public struct TextEncoderPromptEncoding: StreamPromptEncoding {
    /// The networks whose prompt encoder is used.
    public let models: StreamModels

    /// Encodes with `models.promptEncoder`.
    public init(models: StreamModels) {
        self.models = models
    }

    public func encode(_ prompts: [PromptInput]) async throws -> TextConditioning {
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

/// The conditioning (one row each) of the prompts a session has encoded, by ``PromptInput/cacheKey``.
struct StreamPromptCache {
    private var embeddings: [String: TextConditioning] = [:]

    func embedding(for prompt: PromptInput) -> TextConditioning? { embeddings[prompt.cacheKey] }

    func contains(_ prompt: PromptInput) -> Bool { embeddings[prompt.cacheKey] != nil }

    /// Stores row n of `batch` for prompts[n].
    mutating func insert(prompts: [PromptInput], batch: TextConditioning) {
        for (index, prompt) in prompts.enumerated() where index < batch.count {
            embeddings[prompt.cacheKey] = batch.row(index)
        }
    }

    /// Drops every embedding whose prompt is not in `prompts`.
    mutating func retain(only prompts: [PromptInput]) {
        let keep = Set(prompts.map(\.cacheKey))
        embeddings = embeddings.filter { keep.contains($0.key) }
    }
}
