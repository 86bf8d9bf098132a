import DiffusionModels
import Foundation

/// transformers 5.24 `Blip2Config` (models/blip_2/configuration_blip_2.py) of a
/// `Blip2ForConditionalGeneration` folder with an OPT language model: the three sub-configs, the
/// number of query tokens and the id of the `<image>` placeholder token. Left-out fields take
/// transformers' defaults (those of blip2-opt-2.7b's architecture).
public struct Blip2Configuration: Decodable, Sendable, Equatable {
    public var vision: Blip2VisionConfiguration
    public var qformer: Blip2QFormerConfiguration
    public var text: OPTConfiguration
    /// `num_query_tokens`: learned queries, and image tokens in the prompt (32).
    public var queryTokenCount: Int
    /// `image_token_index` (or `image_token_id`): the placeholder id replaced by the projected
    /// query outputs (50265 for blip2-opt-2.7b); nil in configs older than transformers 4.47.
    public var imageTokenId: Int?

    enum CodingKeys: String, CodingKey {
        case vision = "vision_config", qformer = "qformer_config", text = "text_config"
        case queryTokenCount = "num_query_tokens", imageTokenIndex = "image_token_index", imageTokenId = "image_token_id"
        case useDecoderOnly = "use_decoder_only_language_model"
    }

    public init(vision: Blip2VisionConfiguration, qformer: Blip2QFormerConfiguration, text: OPTConfiguration,
                queryTokenCount: Int, imageTokenId: Int?) {
        self.vision = vision
        self.qformer = qformer
        self.text = text
        self.queryTokenCount = queryTokenCount
        self.imageTokenId = imageTokenId
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        vision = try container.decodeIfPresent(Blip2VisionConfiguration.self, forKey: .vision) ?? Blip2VisionConfiguration()
        qformer = try container.decodeIfPresent(Blip2QFormerConfiguration.self, forKey: .qformer) ?? Blip2QFormerConfiguration()
        text = try container.decode(OPTConfiguration.self, forKey: .text)
        queryTokenCount = try container.decodeIfPresent(Int.self, forKey: .queryTokenCount) ?? 32
        imageTokenId = try container.decodeIfPresent(Int.self, forKey: .imageTokenIndex)
            ?? container.decodeIfPresent(Int.self, forKey: .imageTokenId)
        if let decoderOnly = try container.decodeIfPresent(Bool.self, forKey: .useDecoderOnly), !decoderOnly {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.useDecoderOnly],
                                                    debugDescription: "false: only decoder-only (OPT) language models are supported, not T5"))
        }
    }

    /// Reads `folder/config.json`; errors name the file and the field.
    public static func read(folder: String) throws -> Blip2Configuration {
        let path = (folder as NSString).appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: path) else { throw ModelLoadingError.missingConfiguration(folder: folder) }
        let configuration = try ConfigurationFile.decode(Blip2Configuration.self, from: path)
        try configuration.validate(file: path)
        return configuration
    }

    /// Refuses what the networks do not implement, naming the field.
    func validate(file: String) throws {
        func require(_ condition: Bool, _ field: String, _ value: String) throws {
            guard condition else { throw ModelLoadingError.unsupportedConfiguration(file: file, field: field, value: value) }
        }
        try require(text.modelType == "opt", "text_config.model_type", "\"\(text.modelType)\" (only \"opt\")")
        try require(vision.hiddenSize % vision.headCount == 0, "vision_config.num_attention_heads", "\(vision.headCount) (must divide hidden_size \(vision.hiddenSize))")
        try require(qformer.hiddenSize % qformer.headCount == 0, "qformer_config.num_attention_heads", "\(qformer.headCount) (must divide hidden_size \(qformer.hiddenSize))")
        try require(text.hiddenSize % text.headCount == 0, "text_config.num_attention_heads", "\(text.headCount) (must divide hidden_size \(text.hiddenSize))")
        try require(vision.imageSize % vision.patchSize == 0, "vision_config.patch_size", "\(vision.patchSize) (must divide image_size \(vision.imageSize))")
        try require(qformer.crossAttentionFrequency > 0, "qformer_config.cross_attention_frequency", "\(qformer.crossAttentionFrequency)")
        try require(!qformer.useTextInput, "qformer_config.use_qformer_text_input", "true (captioning feeds queries only)")
        try require(text.preLayerNorm, "text_config.do_layer_norm_before", "false (OPT-350m's post-norm layout)")
        try require(text.projectionDimension == text.hiddenSize, "text_config.word_embed_proj_dim", "\(text.projectionDimension) (must equal hidden_size \(text.hiddenSize))")
        try require(text.elementwiseAffine, "text_config.layer_norm_elementwise_affine", "false")
        for (field, activation) in [("vision_config.hidden_act", vision.activation), ("qformer_config.hidden_act", qformer.activation),
                                    ("text_config.activation_function", text.activation)] {
            try require(["gelu", "relu"].contains(activation), field, "\"\(activation)\" (gelu or relu)")
        }
    }
}

/// `Blip2VisionConfig`: a ViT with a class token and learned positions (EVA-CLIP ViT-g for blip2-opt-2.7b).
public struct Blip2VisionConfiguration: Decodable, Sendable, Equatable {
    public var hiddenSize = 1408
    public var intermediateSize = 6144
    public var layerCount = 39
    public var headCount = 16
    public var imageSize = 224
    public var patchSize = 14
    public var activation = "gelu"
    public var layerNormEpsilon: Float = 1e-6
    public var queryValueBias = true

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size", layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads", imageSize = "image_size", patchSize = "patch_size"
        case activation = "hidden_act", layerNormEpsilon = "layer_norm_eps", queryValueBias = "qkv_bias"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try container.update(&hiddenSize, .hiddenSize)
        try container.update(&intermediateSize, .intermediateSize)
        try container.update(&layerCount, .layerCount)
        try container.update(&headCount, .headCount)
        try container.update(&imageSize, .imageSize)
        try container.update(&patchSize, .patchSize)
        try container.update(&activation, .activation)
        try container.update(&layerNormEpsilon, .layerNormEpsilon)
        try container.update(&queryValueBias, .queryValueBias)
    }

    /// Patches per side.
    public var gridSize: Int { imageSize / patchSize }
}

/// `Blip2QFormerConfig`: a BERT-style encoder over the query tokens, cross-attending to the image
/// every `cross_attention_frequency` layers.
public struct Blip2QFormerConfiguration: Decodable, Sendable, Equatable {
    public var hiddenSize = 768
    public var intermediateSize = 3072
    public var layerCount = 12
    public var headCount = 12
    public var activation = "gelu"
    public var layerNormEpsilon: Float = 1e-12
    public var crossAttentionFrequency = 2
    public var encoderHiddenSize = 1408
    public var useTextInput = false

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size", layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads", activation = "hidden_act", layerNormEpsilon = "layer_norm_eps"
        case crossAttentionFrequency = "cross_attention_frequency", encoderHiddenSize = "encoder_hidden_size"
        case useTextInput = "use_qformer_text_input"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try container.update(&hiddenSize, .hiddenSize)
        try container.update(&intermediateSize, .intermediateSize)
        try container.update(&layerCount, .layerCount)
        try container.update(&headCount, .headCount)
        try container.update(&activation, .activation)
        try container.update(&layerNormEpsilon, .layerNormEpsilon)
        try container.update(&crossAttentionFrequency, .crossAttentionFrequency)
        try container.update(&encoderHiddenSize, .encoderHiddenSize)
        try container.update(&useTextInput, .useTextInput)
    }
}

/// transformers' `OPTConfig` (opt-2.7b's values as defaults where they differ from OPTConfig's).
public struct OPTConfiguration: Decodable, Sendable, Equatable {
    public var modelType = "opt"
    public var vocabularySize = 50272
    public var hiddenSize = 2560
    public var layerCount = 32
    public var feedForwardSize = 10240
    public var headCount = 32
    public var maximumPositionEmbeddings = 2048
    public var activation = "relu"
    public var preLayerNorm = true
    public var projectionDimension = 2560
    public var enableBias = true
    public var elementwiseAffine = true
    public var tieWordEmbeddings = true
    public var removeFinalLayerNorm = false
    public var beginTokenId = 2
    public var endTokenId = 2

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", vocabularySize = "vocab_size", hiddenSize = "hidden_size", layerCount = "num_hidden_layers"
        case feedForwardSize = "ffn_dim", headCount = "num_attention_heads", maximumPositionEmbeddings = "max_position_embeddings"
        case activation = "activation_function", preLayerNorm = "do_layer_norm_before", projectionDimension = "word_embed_proj_dim"
        case enableBias = "enable_bias", elementwiseAffine = "layer_norm_elementwise_affine", tieWordEmbeddings = "tie_word_embeddings"
        case removeFinalLayerNorm = "_remove_final_layer_norm", beginTokenId = "bos_token_id", endTokenId = "eos_token_id"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try container.update(&modelType, .modelType)
        try container.update(&vocabularySize, .vocabularySize)
        hiddenSize = try container.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? 768
        layerCount = try container.decodeIfPresent(Int.self, forKey: .layerCount) ?? 12
        feedForwardSize = try container.decodeIfPresent(Int.self, forKey: .feedForwardSize) ?? 3072
        headCount = try container.decodeIfPresent(Int.self, forKey: .headCount) ?? 12
        try container.update(&maximumPositionEmbeddings, .maximumPositionEmbeddings)
        try container.update(&activation, .activation)
        try container.update(&preLayerNorm, .preLayerNorm)
        projectionDimension = try container.decodeIfPresent(Int.self, forKey: .projectionDimension) ?? hiddenSize
        try container.update(&enableBias, .enableBias)
        try container.update(&elementwiseAffine, .elementwiseAffine)
        try container.update(&tieWordEmbeddings, .tieWordEmbeddings)
        try container.update(&removeFinalLayerNorm, .removeFinalLayerNorm)
        try container.update(&beginTokenId, .beginTokenId)
        try container.update(&endTokenId, .endTokenId)
    }
}

extension KeyedDecodingContainer {
    /// Overwrites `value` with the field `key` when the JSON has it (config.json fields are optional:
    /// transformers fills absent ones from the class defaults).
    func update<Value: Decodable>(_ value: inout Value, _ key: Key) throws {
        if let decoded = try decodeIfPresent(Value.self, forKey: key) { value = decoded }
    }
}
