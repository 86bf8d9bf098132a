/// transformers' `CLIPTextConfig` (the `text_encoder/config.json` of SD pipelines).
public struct CLIPTextConfiguration: Decodable, Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var hiddenLayerCount: Int
    public var attentionHeadCount: Int
    public var maximumPositionEmbeddings: Int
    /// `quick_gelu` (SD1.x's OpenAI CLIP) or `gelu` (SD2.x's OpenCLIP).
    public var hiddenActivation: String
    public var layerNormEpsilon: Float
    /// 2 in legacy configs (pooling then takes the argmax of the ids), else the end token id.
    public var endOfTextTokenID: Int
    /// `projection_dim`: the width of `CLIPTextModelWithProjection`'s `text_embeds` (1280 for
    /// SDXL's second encoder); unused by a model without `text_projection`.
    public var projectionDimension: Int

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case hiddenLayerCount = "num_hidden_layers", attentionHeadCount = "num_attention_heads"
        case maximumPositionEmbeddings = "max_position_embeddings", hiddenActivation = "hidden_act"
        case layerNormEpsilon = "layer_norm_eps", endOfTextTokenID = "eos_token_id", projectionDimension = "projection_dim"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vocabularySize = try container.value(.vocabularySize, default: 49408)
        hiddenSize = try container.value(.hiddenSize, default: 512)
        intermediateSize = try container.value(.intermediateSize, default: 2048)
        hiddenLayerCount = try container.value(.hiddenLayerCount, default: 12)
        attentionHeadCount = try container.value(.attentionHeadCount, default: 8)
        maximumPositionEmbeddings = try container.value(.maximumPositionEmbeddings, default: 77)
        hiddenActivation = try container.value(.hiddenActivation, default: "quick_gelu")
        layerNormEpsilon = try container.value(.layerNormEpsilon, default: 1e-5)
        endOfTextTokenID = try container.value(.endOfTextTokenID, default: 49407)
        projectionDimension = try container.value(.projectionDimension, default: 512)
    }
}
