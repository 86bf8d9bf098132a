import Foundation

/// diffusers' `SD3Transformer2DModel` config (`transformer/config.json`, diffusers 0.42.1) for
/// Stable Diffusion 3, 3.5 Medium and 3.5 Large. Every field names its key and diffusers'
/// default.
public struct SD3TransformerConfiguration: Sendable, Equatable {
    /// `sample_size` (default 128): the latent side the model was trained at; with `patch_size`
    /// it sets the position grid's base size, `sample_size / patch_size`.
    public var sampleSize: Int
    /// `patch_size` (default 2): the side of the square latent patches that become tokens.
    public var patchSize: Int
    /// `in_channels` (default 16): latent channels in.
    public var inChannels: Int
    /// `out_channels` (default 16; null means `in_channels`): latent channels out.
    public var outChannels: Int
    /// `num_layers` (default 18): joint transformer blocks; the last is context-only.
    public var layerCount: Int
    /// `attention_head_dim` (default 64): channels per head.
    public var attentionHeadDimension: Int
    /// `num_attention_heads` (default 18).
    public var attentionHeadCount: Int
    /// `joint_attention_dim` (default 4096): the width of `encoder_hidden_states`.
    public var jointAttentionDimension: Int
    /// `caption_projection_dim` (default 1152): `context_embedder`'s output width, which must
    /// equal heads x head dimension (the blocks' width).
    public var captionProjectionDimension: Int
    /// `pooled_projection_dim` (default 2048): the width of `pooled_projections`.
    public var pooledProjectionDimension: Int
    /// `pos_embed_max_size` (default 96; SD3 Medium 192, SD3.5 Medium 384): the side of the
    /// stored position grid, cropped around its centre to each latent's patch grid; null: a grid
    /// of exactly the patch grid's size.
    public var positionEmbeddingMaximumSize: Int?
    /// `dual_attention_layers` (default empty; SD3.5 Medium 0...12): blocks with the extra
    /// image-only attention `attn2` (`SD35AdaLayerNormZeroX`).
    public var dualAttentionLayers: Set<Int>
    /// `qk_norm` (default null; SD3.5: "rms_norm"): RMS normalisation of queries and keys per
    /// head. Only null and "rms_norm" are implemented.
    public var queryKeyNormalization: QueryKeyNormalization?

    /// The normalisation of queries and keys (`qk_norm`).
    public enum QueryKeyNormalization: String, Sendable, Equatable {
        /// diffusers' `RMSNorm(head_dim, eps=1e-6)` with a weight, per head.
        case rmsNorm = "rms_norm"
    }

    /// The blocks' width: heads x head dimension.
    public var innerDimension: Int { attentionHeadCount * attentionHeadDimension }

    /// The position grid's base size, `sample_size / patch_size` (diffusers' `PatchEmbed.base_size`).
    public var positionBaseSize: Int { sampleSize / patchSize }

    /// Decodes `config.json` at `path`, rejecting features this implementation does not have.
    public static func load(path: String) throws -> SD3TransformerConfiguration {
        try SD3TransformerConfiguration(raw: ConfigurationFile.decode(RawSD3TransformerConfiguration.self, from: path), file: path)
    }

    /// Decodes config JSON held in memory; `name` stands for the file in error messages.
    public static func decode(data: Data, name: String) throws -> SD3TransformerConfiguration {
        try SD3TransformerConfiguration(raw: ConfigurationFile.decode(RawSD3TransformerConfiguration.self, data: data, name: name),
                                        file: name)
    }

    init(raw: RawSD3TransformerConfiguration, file: String) throws {
        func positive(_ value: Int, _ field: String) throws -> Int {
            guard value > 0 else { throw ModelLoadingError.invalidConfiguration(file: file, field: field, reason: "must be positive, got \(value)") }
            return value
        }
        sampleSize = try positive(raw.sampleSize, "sample_size")
        patchSize = try positive(raw.patchSize, "patch_size")
        inChannels = try positive(raw.inChannels, "in_channels")
        outChannels = try positive(raw.outChannels ?? raw.inChannels, "out_channels")
        layerCount = try positive(raw.numLayers, "num_layers")
        attentionHeadDimension = try positive(raw.attentionHeadDim, "attention_head_dim")
        attentionHeadCount = try positive(raw.numAttentionHeads, "num_attention_heads")
        jointAttentionDimension = try positive(raw.jointAttentionDim, "joint_attention_dim")
        captionProjectionDimension = try positive(raw.captionProjectionDim, "caption_projection_dim")
        pooledProjectionDimension = try positive(raw.pooledProjectionDim, "pooled_projection_dim")
        positionEmbeddingMaximumSize = try raw.posEmbedMaxSize.map { try positive($0, "pos_embed_max_size") }
        dualAttentionLayers = Set(raw.dualAttentionLayers)
        if let name = raw.qkNorm {
            guard let normalization = QueryKeyNormalization(rawValue: name) else {
                throw ModelLoadingError.unsupportedConfiguration(file: file, field: "qk_norm", value: "\"\(name)\" (supported: null, \"rms_norm\")")
            }
            queryKeyNormalization = normalization
        } else {
            queryKeyNormalization = nil
        }
        guard captionProjectionDimension == attentionHeadCount * attentionHeadDimension else {
            throw ModelLoadingError.invalidConfiguration(file: file, field: "caption_projection_dim",
                reason: "is \(captionProjectionDimension), but the blocks are num_attention_heads x attention_head_dim = \(attentionHeadCount) x \(attentionHeadDimension) = \(attentionHeadCount * attentionHeadDimension) wide; they must be equal")
        }
        guard innerDimension % 4 == 0 else {
            throw ModelLoadingError.invalidConfiguration(file: file, field: "num_attention_heads",
                reason: "gives an inner dimension \(innerDimension) that is not a multiple of 4 (the 2-D sincos position embedding needs one)")
        }
        guard sampleSize >= patchSize else {
            throw ModelLoadingError.invalidConfiguration(file: file, field: "sample_size",
                reason: "is \(sampleSize), smaller than patch_size \(patchSize) (the position grid's base size is sample_size / patch_size)")
        }
    }
}

/// `transformer/config.json` as stored; absent or null fields take diffusers' defaults.
struct RawSD3TransformerConfiguration: Decodable {
    var sampleSize = 128
    var patchSize = 2
    var inChannels = 16
    var outChannels: Int? = 16
    var numLayers = 18
    var attentionHeadDim = 64
    var numAttentionHeads = 18
    var jointAttentionDim = 4096
    var captionProjectionDim = 1152
    var pooledProjectionDim = 2048
    var posEmbedMaxSize: Int? = 96
    var dualAttentionLayers: [Int] = []
    var qkNorm: String?

    enum CodingKeys: String, CodingKey {
        case sampleSize = "sample_size", patchSize = "patch_size", inChannels = "in_channels", outChannels = "out_channels"
        case numLayers = "num_layers", attentionHeadDim = "attention_head_dim", numAttentionHeads = "num_attention_heads"
        case jointAttentionDim = "joint_attention_dim", captionProjectionDim = "caption_projection_dim"
        case pooledProjectionDim = "pooled_projection_dim", posEmbedMaxSize = "pos_embed_max_size"
        case dualAttentionLayers = "dual_attention_layers", qkNorm = "qk_norm"
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sampleSize = try container.value(.sampleSize, default: sampleSize)
        patchSize = try container.value(.patchSize, default: patchSize)
        inChannels = try container.value(.inChannels, default: inChannels)
        // Present and null means in_channels (diffusers: `out_channels if out_channels is not None else in_channels`).
        outChannels = container.contains(.outChannels) ? try container.decodeIfPresent(Int.self, forKey: .outChannels) : 16
        numLayers = try container.value(.numLayers, default: numLayers)
        attentionHeadDim = try container.value(.attentionHeadDim, default: attentionHeadDim)
        numAttentionHeads = try container.value(.numAttentionHeads, default: numAttentionHeads)
        jointAttentionDim = try container.value(.jointAttentionDim, default: jointAttentionDim)
        captionProjectionDim = try container.value(.captionProjectionDim, default: captionProjectionDim)
        pooledProjectionDim = try container.value(.pooledProjectionDim, default: pooledProjectionDim)
        // Present and null disables cropping; absent takes the default 96.
        posEmbedMaxSize = container.contains(.posEmbedMaxSize) ? try container.decodeIfPresent(Int.self, forKey: .posEmbedMaxSize) : 96
        dualAttentionLayers = try container.value(.dualAttentionLayers, default: dualAttentionLayers)
        qkNorm = try container.decodeIfPresent(String.self, forKey: .qkNorm)
    }
}
