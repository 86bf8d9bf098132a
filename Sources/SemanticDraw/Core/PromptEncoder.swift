import DiffusionModels
import Foundation
import TensorRuntime
import Tokenizer

/// Turns prompts into the UNet's text conditioning for SD1.x/SD2.x models, as diffusers'
/// `StableDiffusionPipeline.encode_prompt` (0.42.1, `clip_skip` unset) does: each prompt is
/// tokenized to 77 tokens (truncated keeping the end token, padded with the model's pad
/// token) and encoded by the CLIP text encoder; the conditioning is its last hidden state.
/// Negative prompts go through the same path (an absent one is the empty prompt).
///
/// The one prompt encoder of the package: the one-shot pipeline, the stream and the server
/// all encode through ``encode(_:)-([PromptInput])``, which gives ``TextConditioning``.
public struct PromptEncoder: Sendable {
    /// The model's tokenizer (`tokenizer/`); needed for text prompts (token-id prompts need none).
    public let tokenizer: CLIPTokenizer?
    /// The model's text encoder (`text_encoder/`).
    public let textEncoder: CLIPTextModel
    /// Tokens per prompt: the tokenizer's `model_max_length` (77 when it sets none) bounded by
    /// the encoder's position embeddings (77 for every SD1.x/SD2.x model).
    public let maximumLength: Int

    /// Token embeddings and pooled outputs of a batch of prompts.
    public struct Embeddings: Sendable {
        /// [B, maximumLength, D]: what the UNet's cross-attention reads.
        public let hiddenStates: Tensor
        /// [B, D]: the state at each prompt's end token.
        public let pooled: Tensor
        /// Prompts that were cut to fit (their index in the batch).
        public let truncatedPrompts: [Int]
    }

    /// Conditional and unconditional embeddings for classifier-free guidance.
    public struct GuidanceEmbeddings: Sendable {
        public let conditional: Embeddings
        public let unconditional: Embeddings
    }

    /// An encoder over `textEncoder`; without a tokenizer only token-id prompts can be encoded,
    /// and they must have as many ids as the encoder has positions.
    public init(tokenizer: CLIPTokenizer?, textEncoder: CLIPTextModel) {
        self.tokenizer = tokenizer
        self.textEncoder = textEncoder
        let positions = textEncoder.configuration.maximumPositionEmbeddings
        maximumLength = tokenizer.map { min($0.modelMaximumLength ?? 77, positions) } ?? positions
    }

    /// The conditioning of `prompts` (text, or exactly ``maximumLength`` token ids each), one
    /// text-encoder batch: the last hidden state as the token context.
    /// - Throws: ``RegionGenerationError/invalidInput(name:reason:)`` for a token-id prompt of
    ///   the wrong length or a text prompt without a tokenizer; the encoder's errors.
    public func encode(_ prompts: [PromptInput]) throws -> TextConditioning {
        let ids: [[Int]] = try prompts.map { prompt in
            switch prompt {
            case .tokenIDs(let ids):
                guard ids.count == maximumLength else {
                    throw RegionGenerationError.invalidInput(name: "prompt", reason: "has \(ids.count) token ids, expected \(maximumLength)")
                }
                return ids
            case .text(let text):
                guard let tokenizer else {
                    throw RegionGenerationError.invalidInput(name: "prompt", reason: "'\(text)' needs a tokenizer, and the model has none")
                }
                return tokenizer(text, maximumLength: maximumLength, padding: true).ids
            }
        }
        return TextConditioning(context: try textEncoder(inputIDs: ids).lastHiddenState)
    }

    /// Loads `tokenizer/` and `text_encoder/` of a diffusers pipeline folder, fusing `loras`
    /// (their text-encoder parts) into the encoder.
    public init(modelFolder: String, loras: [LoRAReference] = []) throws {
        let tokenizer = try CLIPTokenizer(folder: modelFolder)
        let textEncoder = try CLIPTextModel(folder: modelFolder, loras: loras)
        self.init(tokenizer: tokenizer, textEncoder: textEncoder)
    }

    /// The embeddings of `prompts`, encoded as one batch.
    public func encode(_ prompts: [String]) throws -> Embeddings {
        guard !prompts.isEmpty else {
            throw ModelLoadingError.invalidInput(name: "prompts", reason: "at least one prompt is needed")
        }
        guard let tokenizer else {
            throw ModelLoadingError.invalidInput(name: "tokenizer", reason: "text prompts need the model's tokenizer, and it has none")
        }
        let tokenized = tokenizer(prompts, maximumLength: maximumLength, padding: true)
        let output = try textEncoder(inputIDs: tokenized.map(\.ids))
        return Embeddings(hiddenStates: output.lastHiddenState, pooled: output.pooledOutput,
                          truncatedPrompts: tokenized.indices.filter { tokenized[$0].truncated })
    }

    /// Conditional embeddings of `prompts` and unconditional ones of `negativePrompts` (one
    /// per prompt; `nil` or a shorter list means the empty prompt), in one text-encoder batch.
    public func encodeForGuidance(prompts: [String], negativePrompts: [String?] = []) throws -> GuidanceEmbeddings {
        guard negativePrompts.count <= prompts.count else {
            throw ModelLoadingError.invalidInput(name: "negative_prompts",
                reason: "\(negativePrompts.count) negative prompts for \(prompts.count) prompts")
        }
        let negatives = (0..<prompts.count).map { index in index < negativePrompts.count ? negativePrompts[index] ?? "" : "" }
        let both = try encode(prompts + negatives)
        let count = prompts.count
        func half(_ tensor: Tensor, _ first: Int) -> Tensor { tensor.slice(outer: first, length: count) }
        return GuidanceEmbeddings(
            conditional: Embeddings(hiddenStates: half(both.hiddenStates, 0), pooled: half(both.pooled, 0),
                                    truncatedPrompts: both.truncatedPrompts.filter { $0 < count }),
            unconditional: Embeddings(hiddenStates: half(both.hiddenStates, count), pooled: half(both.pooled, count),
                                      truncatedPrompts: both.truncatedPrompts.filter { $0 >= count }.map { $0 - count }))
    }
}
