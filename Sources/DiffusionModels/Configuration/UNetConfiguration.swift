import Foundation

/// diffusers' `UNet2DConditionModel` config (`unet/config.json`), SD1.x, SD2.x and SDXL variants.
///
/// Per-block fields are normalised to one value per down block here. diffusers names the head
/// *count* `attention_head_dim` in SD configs (a historical misnomer): when
/// `num_attention_heads` is null, `attention_head_dim` gives the number of heads.
public struct UNetConfiguration: Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var blockOutChannels: [Int]
    public var downBlockTypes: [String]
    public var upBlockTypes: [String]
    public var layersPerBlock: [Int]
    public var transformerLayersPerBlock: [Int]
    /// Heads per down block (up blocks use the reverse).
    public var attentionHeads: [Int]
    public var crossAttentionDimension: Int
    public var normGroupCount: Int
    public var normEpsilon: Float
    public var useLinearProjection: Bool
    public var flipSinToCos: Bool
    public var frequencyShift: Float
    public var downsamplePadding: Int
    /// SDXL's `addition_embed_type: "text_time"` (pooled text embeddings and size/crop time ids
    /// added to the time embedding); nil when the config has no addition embedding.
    public var textTimeEmbedding: TextTimeEmbeddingConfiguration?

    /// Decodes `config.json` at `path`, rejecting features this implementation does not have.
    public static func load(path: String) throws -> UNetConfiguration {
        let raw = try ConfigurationFile.decode(RawUNetConfiguration.self, from: path)
        return try UNetConfiguration(raw: raw, file: path)
    }

    /// Decodes config JSON held in memory; `name` stands for the file in error messages.
    public static func decode(data: Data, name: String) throws -> UNetConfiguration {
        try UNetConfiguration(raw: ConfigurationFile.decode(RawUNetConfiguration.self, data: data, name: name), file: name)
    }

    init(raw: RawUNetConfiguration, file: String) throws {
        let blocks = raw.blockOutChannels.count
        func require(_ condition: Bool, _ field: String, _ value: String) throws {
            if !condition { throw ModelLoadingError.unsupportedConfiguration(file: file, field: field, value: value) }
        }
        try require(blocks > 0, "block_out_channels", "[]")
        try require(raw.downBlockTypes.count == blocks, "down_block_types", "\(raw.downBlockTypes) (needs \(blocks) entries)")
        try require(raw.upBlockTypes.count == blocks, "up_block_types", "\(raw.upBlockTypes) (needs \(blocks) entries)")
        for type in raw.downBlockTypes {
            try require(["CrossAttnDownBlock2D", "DownBlock2D"].contains(type), "down_block_types", type)
        }
        for type in raw.upBlockTypes {
            try require(["CrossAttnUpBlock2D", "UpBlock2D"].contains(type), "up_block_types", type)
        }
        try require(raw.midBlockType == "UNetMidBlock2DCrossAttn", "mid_block_type", raw.midBlockType ?? "null")
        try require(raw.actFn == "silu", "act_fn", raw.actFn)
        try require(raw.timeEmbeddingType == "positional", "time_embedding_type", raw.timeEmbeddingType)
        try require(raw.resnetTimeScaleShift == "default", "resnet_time_scale_shift", raw.resnetTimeScaleShift)
        try require(raw.classEmbedType == nil, "class_embed_type", raw.classEmbedType ?? "null")
        try require(raw.additionEmbedType == nil || raw.additionEmbedType == "text_time", "addition_embed_type", raw.additionEmbedType ?? "null")
        for (field, value) in raw.unsupportedSettings { try require(false, field, value) }
        try require(raw.conv_in_kernel == 3, "conv_in_kernel", "\(raw.conv_in_kernel)")
        try require(raw.conv_out_kernel == 3, "conv_out_kernel", "\(raw.conv_out_kernel)")
        try require(!raw.centerInputSample, "center_input_sample", "true")
        try require(!raw.dualCrossAttention, "dual_cross_attention", "true")
        try require(try raw.onlyCrossAttention.values(count: blocks, field: "only_cross_attention", file: file).allSatisfy { !$0 }, "only_cross_attention", "true")
        try require(raw.timeCondProjDim == nil, "time_cond_proj_dim", "\(raw.timeCondProjDim ?? 0)")
        try require(raw.encoderHidDim == nil, "encoder_hid_dim", "\(raw.encoderHidDim ?? 0)")
        try require(raw.attentionType == "default", "attention_type", raw.attentionType)
        try require(raw.midBlockScaleFactor == 1, "mid_block_scale_factor", "\(raw.midBlockScaleFactor)")
        try require(raw.resnetOutScaleFactor == 1, "resnet_out_scale_factor", "\(raw.resnetOutScaleFactor)")

        inChannels = raw.inChannels
        outChannels = raw.outChannels
        blockOutChannels = raw.blockOutChannels
        downBlockTypes = raw.downBlockTypes
        upBlockTypes = raw.upBlockTypes
        layersPerBlock = try raw.layersPerBlock.values(count: blocks, field: "layers_per_block", file: file)
        transformerLayersPerBlock = try raw.transformerLayersPerBlock.values(count: blocks, field: "transformer_layers_per_block", file: file)
        let headsField = raw.numAttentionHeads == nil ? "attention_head_dim" : "num_attention_heads"
        attentionHeads = try (raw.numAttentionHeads ?? raw.attentionHeadDim).values(count: blocks, field: headsField, file: file)
        let crossAttentionDimensions = try raw.crossAttentionDim.values(count: blocks, field: "cross_attention_dim", file: file)
        try require(Set(crossAttentionDimensions).count == 1, "cross_attention_dim", "\(crossAttentionDimensions) (per-block widths)")
        crossAttentionDimension = crossAttentionDimensions[0]
        normGroupCount = raw.normNumGroups
        normEpsilon = raw.normEps
        useLinearProjection = raw.useLinearProjection
        flipSinToCos = raw.flipSinToCos
        frequencyShift = raw.freqShift
        downsamplePadding = raw.downsamplePadding
        textTimeEmbedding = try TextTimeEmbeddingConfiguration(raw: raw, file: file)
        for (index, channels) in blockOutChannels.enumerated() {
            try require(channels % normGroupCount == 0, "norm_num_groups", "\(normGroupCount) (does not divide block_out_channels[\(index)] = \(channels))")
            try require(attentionHeads[index] > 0 && channels % attentionHeads[index] == 0, headsField,
                        "\(attentionHeads[index]) heads (does not divide block_out_channels[\(index)] = \(channels))")
        }
    }
}

/// The JSON as diffusers writes it, before normalisation.
struct RawUNetConfiguration: Decodable {
    var inChannels: Int, outChannels: Int
    var blockOutChannels: [Int]
    var downBlockTypes: [String], upBlockTypes: [String]
    var midBlockType: String?
    var layersPerBlock: PerBlock<Int>
    var transformerLayersPerBlock: PerBlock<Int>
    var attentionHeadDim: PerBlock<Int>
    var numAttentionHeads: PerBlock<Int>?
    var crossAttentionDim: PerBlock<Int>
    var normNumGroups: Int
    var normEps: Float
    var useLinearProjection: Bool
    var flipSinToCos: Bool
    var freqShift: Float
    var downsamplePadding: Int
    var midBlockScaleFactor: Float
    var actFn: String
    var timeEmbeddingType: String
    var resnetTimeScaleShift: String
    var classEmbedType: String?
    var additionEmbedType: String?
    var conv_in_kernel: Int, conv_out_kernel: Int
    var centerInputSample: Bool
    var dualCrossAttention: Bool
    var onlyCrossAttention: PerBlock<Bool>
    var timeCondProjDim: Int?
    var encoderHidDim: Int?
    var attentionType: String
    var resnetOutScaleFactor: Float
    var additionTimeEmbedDim: Int?
    var projectionClassEmbeddingsInputDim: Int?
    /// Fields that must keep their default (null or false) for the network built here, with
    /// the value found when one does not.
    var unsupportedSettings: [(field: String, value: String)]

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", outChannels = "out_channels", blockOutChannels = "block_out_channels"
        case downBlockTypes = "down_block_types", upBlockTypes = "up_block_types", midBlockType = "mid_block_type"
        case layersPerBlock = "layers_per_block", transformerLayersPerBlock = "transformer_layers_per_block"
        case attentionHeadDim = "attention_head_dim", numAttentionHeads = "num_attention_heads"
        case crossAttentionDim = "cross_attention_dim", normNumGroups = "norm_num_groups", normEps = "norm_eps"
        case useLinearProjection = "use_linear_projection", flipSinToCos = "flip_sin_to_cos", freqShift = "freq_shift"
        case downsamplePadding = "downsample_padding", midBlockScaleFactor = "mid_block_scale_factor", actFn = "act_fn"
        case timeEmbeddingType = "time_embedding_type", resnetTimeScaleShift = "resnet_time_scale_shift"
        case classEmbedType = "class_embed_type", additionEmbedType = "addition_embed_type"
        case conv_in_kernel, conv_out_kernel
        case centerInputSample = "center_input_sample", dualCrossAttention = "dual_cross_attention"
        case onlyCrossAttention = "only_cross_attention", timeCondProjDim = "time_cond_proj_dim"
        case encoderHidDim = "encoder_hid_dim", attentionType = "attention_type", resnetOutScaleFactor = "resnet_out_scale_factor"
        case additionTimeEmbedDim = "addition_time_embed_dim", projectionClassEmbeddingsInputDim = "projection_class_embeddings_input_dim"
        case reverse_transformer_layers_per_block, time_embedding_dim, time_embedding_act_fn, timestep_post_act
        case encoder_hid_dim_type, cross_attention_norm, num_class_embeds, class_embeddings_concat, mid_block_only_cross_attention
        case resnet_skip_time_act
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inChannels = try container.value(.inChannels, default: 4)
        outChannels = try container.value(.outChannels, default: 4)
        blockOutChannels = try container.value(.blockOutChannels, default: [320, 640, 1280, 1280])
        downBlockTypes = try container.value(.downBlockTypes, default: ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"])
        upBlockTypes = try container.value(.upBlockTypes, default: ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"])
        midBlockType = try container.decodeIfPresent(String.self, forKey: .midBlockType) ?? (container.contains(.midBlockType) ? nil : "UNetMidBlock2DCrossAttn")
        layersPerBlock = try container.value(.layersPerBlock, default: .uniform(2))
        transformerLayersPerBlock = try container.value(.transformerLayersPerBlock, default: .uniform(1))
        attentionHeadDim = try container.value(.attentionHeadDim, default: .uniform(8))
        numAttentionHeads = try container.decodeIfPresent(PerBlock<Int>.self, forKey: .numAttentionHeads)
        crossAttentionDim = try container.value(.crossAttentionDim, default: .uniform(1280))
        normNumGroups = try container.value(.normNumGroups, default: 32)
        normEps = try container.value(.normEps, default: 1e-5)
        useLinearProjection = try container.value(.useLinearProjection, default: false)
        flipSinToCos = try container.value(.flipSinToCos, default: true)
        freqShift = try container.value(.freqShift, default: 0)
        downsamplePadding = try container.value(.downsamplePadding, default: 1)
        midBlockScaleFactor = try container.value(.midBlockScaleFactor, default: 1)
        actFn = try container.value(.actFn, default: "silu")
        timeEmbeddingType = try container.value(.timeEmbeddingType, default: "positional")
        resnetTimeScaleShift = try container.value(.resnetTimeScaleShift, default: "default")
        classEmbedType = try container.decodeIfPresent(String.self, forKey: .classEmbedType)
        additionEmbedType = try container.decodeIfPresent(String.self, forKey: .additionEmbedType)
        conv_in_kernel = try container.value(.conv_in_kernel, default: 3)
        conv_out_kernel = try container.value(.conv_out_kernel, default: 3)
        centerInputSample = try container.value(.centerInputSample, default: false)
        dualCrossAttention = try container.value(.dualCrossAttention, default: false)
        onlyCrossAttention = try container.value(.onlyCrossAttention, default: .uniform(false))
        timeCondProjDim = try container.decodeIfPresent(Int.self, forKey: .timeCondProjDim)
        encoderHidDim = try container.decodeIfPresent(Int.self, forKey: .encoderHidDim)
        attentionType = try container.value(.attentionType, default: "default")
        resnetOutScaleFactor = try container.value(.resnetOutScaleFactor, default: 1)
        additionTimeEmbedDim = try container.decodeIfPresent(Int.self, forKey: .additionTimeEmbedDim)
        projectionClassEmbeddingsInputDim = try container.decodeIfPresent(Int.self, forKey: .projectionClassEmbeddingsInputDim)
        // SDXL writes these keys with their defaults; any other value changes the network.
        unsupportedSettings = []
        for key in [CodingKeys.reverse_transformer_layers_per_block, .time_embedding_dim, .time_embedding_act_fn, .timestep_post_act,
                    .encoder_hid_dim_type, .cross_attention_norm, .num_class_embeds] {
            if try !container.decodeNilOrAbsent(key) { unsupportedSettings.append((key.rawValue, "a non-null value")) }
        }
        for key in [CodingKeys.class_embeddings_concat, .mid_block_only_cross_attention, .resnet_skip_time_act] {
            if try container.decodeIfPresent(Bool.self, forKey: key) == true { unsupportedSettings.append((key.rawValue, "true")) }
        }
    }
}
