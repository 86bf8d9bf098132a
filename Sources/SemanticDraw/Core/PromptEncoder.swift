import DiffusionModels
import Foundation
import TensorRuntime
import Tokenizer

/// Turns prompts into the UNet's text conditioning, as diffusers' `encode_prompt` (0.42.1,
/// `clip_skip` unset) does:
/// - SD1.x/SD2.x (`StableDiffusionPipeline`): each prompt is tokenized to 77 tokens (truncated
///   keeping the end token, padded with the model's pad token) and encoded by the CLIP text
///   encoder; the conditioning is its last hidden state.
/// - SDXL (`StableDiffusionXLPipeline`, with ``second``): the prompt goes through both
///   tokenizers (each with its own pad token: SDXL's second pads with "!") and both encoders;
///   the context is the two penultimate hidden states (`hidden_states[-2]`) concatenated along
///   the channels (768 + 1280 = 2048 for SDXL), and the pooled embedding is the second
///   encoder's projected `text_embeds`.
/// - SD3 (`StableDiffusion3Pipeline` without T5, with ``second`` and ``sd3Layout``): both
///   encoders are `CLIPTextModelWithProjection`; the context is their penultimate states
///   concatenated, zero-padded to `joint_attention_dim` and followed by the 256 zero tokens of
///   the absent T5 (333 tokens), the pooled embedding both `text_embeds` concatenated
///   (``SD3TextConditioning``).
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
    /// SDXL's and SD3's second tokenizer and text encoder (`tokenizer_2/`, `text_encoder_2/`, a
    /// `CLIPTextModelWithProjection`); nil for SD1.x/SD2.x.
    public let second: SecondEncoder?
    /// SD3's conditioning layout (the transformer's `joint_attention_dim`, T5's token count);
    /// nil for SD1.x/SD2.x and SDXL.
    public let sd3Layout: SD3Layout?

    /// How SD3's conditioning is laid out for its transformer (``SD3TextConditioning``).
    public struct SD3Layout: Sendable, Equatable {
        /// The transformer's `joint_attention_dim` (4096 for SD3/SD3.5): the context's width,
        /// the two encoders' states zero-padded to it.
        public let jointAttentionDimension: Int
        /// The zero tokens appended where T5's would be (`max_sequence_length`, 256).
        public let t5SequenceLength: Int

        public init(jointAttentionDimension: Int, t5SequenceLength: Int = 256) {
            self.jointAttentionDimension = jointAttentionDimension
            self.t5SequenceLength = t5SequenceLength
        }
    }

    /// The second tokenizer and text encoder of a dual-encoder family (SDXL).
    public struct SecondEncoder: Sendable {
        public let tokenizer: CLIPTokenizer?
        public let textEncoder: CLIPTextModel
        public init(tokenizer: CLIPTokenizer?, textEncoder: CLIPTextModel) {
            self.tokenizer = tokenizer
            self.textEncoder = textEncoder
        }
    }

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
    /// and they must have as many ids as the encoder has positions. `sd3Layout` (with `second`)
    /// makes it SD3's.
    public init(tokenizer: CLIPTokenizer?, textEncoder: CLIPTextModel, second: SecondEncoder? = nil, sd3Layout: SD3Layout? = nil) {
        self.tokenizer = tokenizer
        self.textEncoder = textEncoder
        self.second = second
        self.sd3Layout = second == nil ? nil : sd3Layout
        let positions = textEncoder.configuration.maximumPositionEmbeddings
        maximumLength = tokenizer.map { min($0.modelMaximumLength ?? 77, positions) } ?? positions
    }

    /// The width of the token context the denoiser reads (the sum of both encoders' widths for
    /// SDXL, the joint width for SD3).
    public var contextDimension: Int {
        sd3Layout?.jointAttentionDimension ?? textEncoder.configuration.hiddenSize + (second?.textEncoder.configuration.hiddenSize ?? 0)
    }

    /// The width of the pooled embedding (nil for SD1.x/SD2.x): the second encoder's projection
    /// for SDXL, both projections for SD3.
    public var pooledDimension: Int? {
        guard let second else { return nil }
        let secondWidth = second.textEncoder.configuration.projectionDimension
        guard sd3Layout != nil else { return secondWidth }
        return textEncoder.configuration.projectionDimension + secondWidth
    }

    /// The conditioning of `prompts` (text, or exactly ``maximumLength`` token ids each), one
    /// text-encoder batch: the last hidden state as the token context.
    /// - Throws: ``RegionGenerationError/invalidInput(name:reason:)`` for a token-id prompt of
    ///   the wrong length or a text prompt without a tokenizer; the encoder's errors.
    public func encode(_ prompts: [PromptInput]) throws -> TextConditioning {
        let first = try textEncoder(inputIDs: try ids(of: prompts, tokenizer: tokenizer))
        guard let second else { return TextConditioning(context: first.lastHiddenState) }
        let other = try second.textEncoder(inputIDs: try ids(of: prompts, tokenizer: second.tokenizer))
        guard let pooled = other.textEmbeds else {
            throw RegionGenerationError.invalidInput(name: "text_encoder_2", reason: "has no text_projection (SDXL's and SD3's second encoder is a CLIPTextModelWithProjection)")
        }
        if let sd3Layout {
            guard let firstPooled = first.textEmbeds else {
                throw RegionGenerationError.invalidInput(name: "text_encoder", reason: "has no text_projection (SD3's first encoder is a CLIPTextModelWithProjection)")
            }
            return TextConditioning(
                context: try SD3TextConditioning.context(firstPenultimate: first.penultimateHiddenState, secondPenultimate: other.penultimateHiddenState,
                                                         jointAttentionDimension: sd3Layout.jointAttentionDimension,
                                                         t5SequenceLength: sd3Layout.t5SequenceLength),
                pooled: try SD3TextConditioning.pooled(firstTextEmbeds: firstPooled, secondTextEmbeds: pooled))
        }
        return TextConditioning(context: Self.concatenatedChannels(first.penultimateHiddenState, other.penultimateHiddenState),
                                pooled: pooled)
    }

    /// The token ids of `prompts` for one tokenizer: text tokenized to ``maximumLength`` (padded
    /// with that tokenizer's pad token), token-id prompts as given (the same ids for both encoders).
    private func ids(of prompts: [PromptInput], tokenizer: CLIPTokenizer?) throws -> [[Int]] {
        try prompts.map { prompt in
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
    }

    /// [N, S, A] and [N, S, B] -> [N, S, A + B].
    static func concatenatedChannels(_ first: Tensor, _ second: Tensor) -> Tensor {
        let rows = first.shape[0], length = first.shape[1]
        let joined = Tensor.concatenateChannels([first.reshaped([rows * length, first.shape[2]]),
                                                 second.reshaped([rows * length, second.shape[2]])])
        return joined.reshaped([rows, length, first.shape[2] + second.shape[2]])
    }

    /// Loads `tokenizer/` and `text_encoder/` of a diffusers pipeline folder, fusing `loras`
    /// (their text-encoder parts) into the encoder.
    public init(modelFolder: String, loras: [LoRAReference] = []) throws {
        let tokenizer = try CLIPTokenizer(folder: modelFolder)
        let textEncoder = try CLIPTextModel(folder: modelFolder, loras: loras)
        var second: SecondEncoder?
        let secondFolder = (modelFolder as NSString).appendingPathComponent("text_encoder_2")
        if FileManager.default.fileExists(atPath: secondFolder) {
            second = SecondEncoder(tokenizer: try CLIPTokenizer(folder: modelFolder, subfolder: "tokenizer_2"),
                                   textEncoder: try CLIPTextModel(folder: modelFolder, subfolder: "text_encoder_2"))
        }
        self.init(tokenizer: tokenizer, textEncoder: textEncoder, second: second)
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
