import TensorRuntime

/// The JSON files of tiny-random-sd3 (``TinyRandomSD3Model``), written by its export and decoded
/// for the in-memory model. The tokenizers and the VAE/TAESD layouts are tiny-random's, with
/// SD3's 16 latent channels.
enum TinyRandomSD3Configurations {
    /// `SD3Transformer2DModel`: see ``TinyRandomParameterList/transformerSD3()``. The position
    /// grid (96 x 96) covers latents up to 192 x 192 (1536-pixel images).
    static let transformer = """
    {
      "_class_name": "SD3Transformer2DModel",
      "_diffusers_version": "0.42.1",
      "attention_head_dim": 16,
      "caption_projection_dim": 32,
      "dual_attention_layers": [],
      "in_channels": 16,
      "joint_attention_dim": 96,
      "num_attention_heads": 2,
      "num_layers": 2,
      "out_channels": 16,
      "patch_size": 2,
      "pooled_projection_dim": 64,
      "pos_embed_max_size": 96,
      "qk_norm": null,
      "sample_size": 64
    }

    """

    /// SD3's first text encoder is a `CLIPTextModelWithProjection` too (CLIP-L, quick GELU).
    static let textEncoder = TinyRandomConfigurations.textEncoder
        .replacingOccurrences(of: "\"architectures\": [\"CLIPTextModel\"]", with: "\"architectures\": [\"CLIPTextModelWithProjection\"]")

    /// SD3's VAE: 16 latent channels, no quant convolutions, scaling 1.5305, shift 0.0609.
    static let autoencoder = TinyRandomConfigurations.autoencoder
        .replacingOccurrences(of: "\"latent_channels\": 4", with: "\"latent_channels\": 16")
        .replacingOccurrences(of: "\"scaling_factor\": 0.18215,", with: "\"scaling_factor\": 1.5305,\n  \"shift_factor\": 0.0609,")
        .replacingOccurrences(of: "\"use_post_quant_conv\": true", with: "\"use_post_quant_conv\": false")
        .replacingOccurrences(of: "\"use_quant_conv\": true", with: "\"use_quant_conv\": false")

    /// TAESD3's layout at tiny-random's width: 16 latent channels.
    static let tinyAutoencoder = TinyRandomConfigurations.tinyAutoencoder
        .replacingOccurrences(of: "\"latent_channels\": 4", with: "\"latent_channels\": 16")

    /// diffusers' `FlowMatchEulerDiscreteScheduler` as `stabilityai/stable-diffusion-3-medium-diffusers`
    /// configures it (shift 3.0).
    static let scheduler = """
    {
      "_class_name": "FlowMatchEulerDiscreteScheduler",
      "_diffusers_version": "0.42.1",
      "num_train_timesteps": 1000,
      "shift": 3.0
    }

    """

    /// `StableDiffusion3Pipeline` without T5 (`text_encoder_3` and `tokenizer_3` null), as the
    /// SemanticDraw and Flash SD3 set-ups load it.
    static let modelIndex = """
    {
      "_class_name": "StableDiffusion3Pipeline",
      "_diffusers_version": "0.42.1",
      "feature_extractor": [null, null],
      "image_encoder": [null, null],
      "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
      "text_encoder": ["transformers", "CLIPTextModelWithProjection"],
      "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
      "text_encoder_3": [null, null],
      "tokenizer": ["transformers", "CLIPTokenizer"],
      "tokenizer_2": ["transformers", "CLIPTokenizer"],
      "tokenizer_3": [null, null],
      "transformer": ["diffusers", "SD3Transformer2DModel"],
      "vae": ["diffusers", "AutoencoderKL"]
    }

    """
}

/// The five networks of tiny-random-sd3, with folder names, configurations, parameter lists and
/// weight-stream seeds (20-24, so none repeats tiny-random's or tiny-random-xl's).
public enum TinyRandomSD3Component: String, CaseIterable, Sendable {
    case textEncoder = "text_encoder"
    case textEncoder2 = "text_encoder_2"
    case transformer
    case vae
    case taesd

    public var folderName: String { rawValue }

    public var seed: UInt64 {
        switch self {
        case .textEncoder: return 20
        case .textEncoder2: return 21
        case .transformer: return 22
        case .vae: return 23
        case .taesd: return 24
        }
    }

    public var weightsFileName: String {
        self == .textEncoder || self == .textEncoder2 ? "model.safetensors" : "diffusion_pytorch_model.safetensors"
    }

    var parameterList: TinyRandomParameterList {
        switch self {
        case .textEncoder, .textEncoder2: return .textEncoderWithProjection()
        case .transformer: return .transformerSD3()
        case .vae: return .autoencoder(latent: 16, quantConvolutions: false)
        case .taesd: return .tinyAutoencoder(latent: 16)
        }
    }

    /// The parameters, drawn from the weight stream (a fresh copy on every call); the
    /// transformer also gets its position table `pos_embed.pos_embed`, the sincos buffer
    /// diffusers computes and saves (``SinusoidalPositionEmbedding``), not random numbers.
    public func weights() -> [String: Tensor] {
        var tensors = TinyRandomWeights.tensors(for: parameterList, seed: seed)
        if self == .transformer {
            let grid = 96, width = 32
            tensors["pos_embed.pos_embed"] = SinusoidalPositionEmbedding.table(
                gridRows: grid, gridColumns: grid, rows: 0..<grid, columns: 0..<grid, dimension: width, baseSize: 64 / 2)
                .reshaped([1, grid * grid, width])
        }
        return tensors
    }

    public var configurationJSON: String {
        switch self {
        case .textEncoder: return TinyRandomSD3Configurations.textEncoder
        case .textEncoder2: return TinyRandomXLConfigurations.textEncoder2
        case .transformer: return TinyRandomSD3Configurations.transformer
        case .vae: return TinyRandomSD3Configurations.autoencoder
        case .taesd: return TinyRandomSD3Configurations.tinyAutoencoder
        }
    }
}
