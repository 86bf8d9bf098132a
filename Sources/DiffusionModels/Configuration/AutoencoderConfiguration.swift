import TensorRuntime

/// diffusers' `AutoencoderKL` config (`vae/config.json`).
public struct AutoencoderKLConfiguration: Decodable, Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var latentChannels: Int
    public var blockOutChannels: [Int]
    public var layersPerBlock: Int
    public var normGroupCount: Int
    public var useQuantConv: Bool
    public var usePostQuantConv: Bool
    public var midBlockAddAttention: Bool
    /// Latent scaling used by pipelines (not by the module's own encode/decode): `scaling_factor`,
    /// 0.18215 for SD1.x/SD2.x, 0.13025 for SDXL, 1.5305 for SD3.
    public var scalingFactor: Float
    /// Latent shift used by pipelines (not by the module's own encode/decode): `shift_factor`,
    /// 0.0609 for SD3; absent or null (SD1.x, SD2.x, SDXL) reads as 0. Pipelines denoise
    /// (z - shift) * scaling and decode latents / scaling + shift (``pipelineLatents(_:)``,
    /// ``decoderLatents(_:)``).
    public var shiftFactor: Float
    /// `force_upcast` (true in SDXL's VAE): diffusers pipelines run a half-precision VAE in float32.
    /// Everything here computes in float32 already, so it changes nothing; kept for the dtype work.
    public var forceUpcast: Bool
    var downBlockTypes: [String]
    var upBlockTypes: [String]
    var activation: String

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", outChannels = "out_channels", latentChannels = "latent_channels"
        case blockOutChannels = "block_out_channels", layersPerBlock = "layers_per_block", normGroupCount = "norm_num_groups"
        case useQuantConv = "use_quant_conv", usePostQuantConv = "use_post_quant_conv"
        case midBlockAddAttention = "mid_block_add_attention", scalingFactor = "scaling_factor"
        case downBlockTypes = "down_block_types", upBlockTypes = "up_block_types", activation = "act_fn"
        case forceUpcast = "force_upcast", shiftFactor = "shift_factor"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inChannels = try container.value(.inChannels, default: 3)
        outChannels = try container.value(.outChannels, default: 3)
        latentChannels = try container.value(.latentChannels, default: 4)
        blockOutChannels = try container.value(.blockOutChannels, default: [64])
        layersPerBlock = try container.value(.layersPerBlock, default: 1)
        normGroupCount = try container.value(.normGroupCount, default: 32)
        useQuantConv = try container.value(.useQuantConv, default: true)
        usePostQuantConv = try container.value(.usePostQuantConv, default: true)
        midBlockAddAttention = try container.value(.midBlockAddAttention, default: true)
        scalingFactor = try container.value(.scalingFactor, default: 0.18215)
        shiftFactor = try container.value(.shiftFactor, default: 0)
        forceUpcast = try container.value(.forceUpcast, default: true)
        downBlockTypes = try container.value(.downBlockTypes, default: Array(repeating: "DownEncoderBlock2D", count: blockOutChannels.count))
        upBlockTypes = try container.value(.upBlockTypes, default: Array(repeating: "UpDecoderBlock2D", count: blockOutChannels.count))
        activation = try container.value(.activation, default: "silu")
    }

    /// Decodes `config.json` at `path`, rejecting features this implementation does not have.
    public static func load(path: String) throws -> AutoencoderKLConfiguration {
        let configuration = try ConfigurationFile.decode(AutoencoderKLConfiguration.self, from: path)
        let blocks = configuration.blockOutChannels.count
        if blocks == 0 { throw ModelLoadingError.unsupportedConfiguration(file: path, field: "block_out_channels", value: "[]") }
        if configuration.activation != "silu" { throw ModelLoadingError.unsupportedConfiguration(file: path, field: "act_fn", value: configuration.activation) }
        if configuration.downBlockTypes != Array(repeating: "DownEncoderBlock2D", count: blocks) {
            throw ModelLoadingError.unsupportedConfiguration(file: path, field: "down_block_types", value: "\(configuration.downBlockTypes)")
        }
        if configuration.upBlockTypes != Array(repeating: "UpDecoderBlock2D", count: blocks) {
            throw ModelLoadingError.unsupportedConfiguration(file: path, field: "up_block_types", value: "\(configuration.upBlockTypes)")
        }
        for (field, value) in [("scaling_factor", configuration.scalingFactor), ("shift_factor", configuration.shiftFactor)] where !value.isFinite {
            throw ModelLoadingError.invalidConfiguration(file: path, field: field, reason: "must be a finite number, got \(value)")
        }
        if configuration.scalingFactor == 0 {
            throw ModelLoadingError.invalidConfiguration(file: path, field: "scaling_factor", reason: "must not be 0 (latents are divided by it)")
        }
        for channels in configuration.blockOutChannels where channels % configuration.normGroupCount != 0 {
            throw ModelLoadingError.unsupportedConfiguration(file: path, field: "norm_num_groups",
                value: "\(configuration.normGroupCount) (does not divide \(channels) channels)")
        }
        return configuration
    }
}

/// diffusers' `AutoencoderTiny` config (TAESD's `config.json`).
public struct AutoencoderTinyConfiguration: Decodable, Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var latentChannels: Int
    public var encoderBlockOutChannels: [Int]
    public var decoderBlockOutChannels: [Int]
    public var encoderBlockCounts: [Int]
    public var decoderBlockCounts: [Int]
    public var upsamplingScalingFactor: Int
    public var activation: String

    enum CodingKeys: String, CodingKey {
        case inChannels = "in_channels", outChannels = "out_channels", latentChannels = "latent_channels"
        case encoderBlockOutChannels = "encoder_block_out_channels", decoderBlockOutChannels = "decoder_block_out_channels"
        case encoderBlockCounts = "num_encoder_blocks", decoderBlockCounts = "num_decoder_blocks"
        case upsamplingScalingFactor = "upsampling_scaling_factor", activation = "act_fn", upsampleFunction = "upsample_fn"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inChannels = try container.value(.inChannels, default: 3)
        outChannels = try container.value(.outChannels, default: 3)
        latentChannels = try container.value(.latentChannels, default: 4)
        encoderBlockOutChannels = try container.value(.encoderBlockOutChannels, default: [64, 64, 64, 64])
        decoderBlockOutChannels = try container.value(.decoderBlockOutChannels, default: [64, 64, 64, 64])
        encoderBlockCounts = try container.value(.encoderBlockCounts, default: [1, 3, 3, 3])
        decoderBlockCounts = try container.value(.decoderBlockCounts, default: [3, 3, 3, 1])
        upsamplingScalingFactor = try container.value(.upsamplingScalingFactor, default: 2)
        activation = try container.value(.activation, default: "relu")
        let upsampleFunction = try container.value(.upsampleFunction, default: "nearest")
        if upsampleFunction != "nearest" {
            throw DecodingError.dataCorruptedError(forKey: .upsampleFunction, in: container, debugDescription: "only \"nearest\" is supported, not \"\(upsampleFunction)\"")
        }
    }

    /// Decodes `config.json` at `path`, rejecting features this implementation does not have.
    public static func load(path: String) throws -> AutoencoderTinyConfiguration {
        let configuration = try ConfigurationFile.decode(AutoencoderTinyConfiguration.self, from: path)
        guard Activation(rawValue: configuration.activation) != nil else {
            throw ModelLoadingError.unsupportedConfiguration(file: path, field: "act_fn", value: configuration.activation)
        }
        if configuration.encoderBlockOutChannels.count != configuration.encoderBlockCounts.count || configuration.encoderBlockCounts.isEmpty {
            throw ModelLoadingError.invalidConfiguration(file: path, field: "num_encoder_blocks", reason: "must have one entry per encoder_block_out_channels entry")
        }
        if configuration.decoderBlockOutChannels.count != configuration.decoderBlockCounts.count || configuration.decoderBlockCounts.isEmpty {
            throw ModelLoadingError.invalidConfiguration(file: path, field: "num_decoder_blocks", reason: "must have one entry per decoder_block_out_channels entry")
        }
        return configuration
    }
}
