import TensorRuntime

/// The JSON files of tiny-random-xl (``TinyRandomXLModel``), written by its export and decoded
/// for the in-memory model. The tokenizers, VAE layout and TAESD are tiny-random's.
enum TinyRandomXLConfigurations {
    static let unet = """
    {
      "_class_name": "UNet2DConditionModel",
      "_diffusers_version": "0.42.1",
      "act_fn": "silu",
      "addition_embed_type": "text_time",
      "addition_embed_type_num_heads": 64,
      "addition_time_embed_dim": 8,
      "attention_head_dim": [2, 4],
      "attention_type": "default",
      "block_out_channels": [32, 64],
      "center_input_sample": false,
      "class_embed_type": null,
      "conv_in_kernel": 3,
      "conv_out_kernel": 3,
      "cross_attention_dim": 64,
      "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"],
      "downsample_padding": 1,
      "dual_cross_attention": false,
      "encoder_hid_dim": null,
      "flip_sin_to_cos": true,
      "freq_shift": 0,
      "in_channels": 4,
      "layers_per_block": 1,
      "mid_block_scale_factor": 1,
      "mid_block_type": "UNetMidBlock2DCrossAttn",
      "norm_eps": 1e-05,
      "norm_num_groups": 8,
      "num_attention_heads": null,
      "only_cross_attention": false,
      "out_channels": 4,
      "projection_class_embeddings_input_dim": 80,
      "resnet_out_scale_factor": 1.0,
      "resnet_time_scale_shift": "default",
      "sample_size": 128,
      "time_cond_proj_dim": null,
      "time_embedding_type": "positional",
      "transformer_layers_per_block": [1, 2],
      "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
      "upcast_attention": false,
      "use_linear_projection": true
    }

    """

    static let textEncoder2 = """
    {
      "architectures": ["CLIPTextModelWithProjection"],
      "attention_dropout": 0.0,
      "bos_token_id": 512,
      "dtype": "float32",
      "eos_token_id": 513,
      "hidden_act": "gelu",
      "hidden_size": 32,
      "initializer_factor": 1.0,
      "initializer_range": 0.02,
      "intermediate_size": 37,
      "layer_norm_eps": 1e-05,
      "max_position_embeddings": 77,
      "model_type": "clip_text_model",
      "num_attention_heads": 4,
      "num_hidden_layers": 2,
      "pad_token_id": 513,
      "projection_dim": 32,
      "transformers_version": "5.24.0",
      "vocab_size": 514
    }

    """

    static let autoencoder = TinyRandomConfigurations.autoencoder
        .replacingOccurrences(of: "\"force_upcast\": false", with: "\"force_upcast\": true")
        .replacingOccurrences(of: "\"scaling_factor\": 0.18215", with: "\"scaling_factor\": 0.13025")

    /// diffusers' `EulerDiscreteScheduler` as `stabilityai/stable-diffusion-xl-base-1.0` configures it.
    static let scheduler = """
    {
      "_class_name": "EulerDiscreteScheduler",
      "_diffusers_version": "0.42.1",
      "beta_end": 0.012,
      "beta_schedule": "scaled_linear",
      "beta_start": 0.00085,
      "clip_sample": false,
      "interpolation_type": "linear",
      "num_train_timesteps": 1000,
      "prediction_type": "epsilon",
      "sample_max_value": 1.0,
      "set_alpha_to_one": false,
      "skip_prk_steps": true,
      "steps_offset": 1,
      "timestep_spacing": "leading",
      "trained_betas": null,
      "use_karras_sigmas": false
    }

    """

    static let modelIndex = """
    {
      "_class_name": "StableDiffusionXLPipeline",
      "_diffusers_version": "0.42.1",
      "feature_extractor": [null, null],
      "force_zeros_for_empty_prompt": true,
      "image_encoder": [null, null],
      "scheduler": ["diffusers", "EulerDiscreteScheduler"],
      "text_encoder": ["transformers", "CLIPTextModel"],
      "text_encoder_2": ["transformers", "CLIPTextModelWithProjection"],
      "tokenizer": ["transformers", "CLIPTokenizer"],
      "tokenizer_2": ["transformers", "CLIPTokenizer"],
      "unet": ["diffusers", "UNet2DConditionModel"],
      "vae": ["diffusers", "AutoencoderKL"]
    }

    """

    /// SDXL's second tokenizer pads with "!".
    static let secondTokenizerConfiguration = TinyRandomConfigurations.tokenizerConfiguration
        .replacingOccurrences(of: "\"pad_token\": \"<|endoftext|>\"", with: "\"pad_token\": \"!\"")
    static let secondSpecialTokensMap = TinyRandomConfigurations.specialTokensMap
        .replacingOccurrences(of: "\"pad_token\": \"<|endoftext|>\"", with: "\"pad_token\": \"!\"")
}

/// The five networks of tiny-random-xl, with folder names, configurations, parameter lists and
/// weight-stream seeds (10-14, so none repeats tiny-random's).
public enum TinyRandomXLComponent: String, CaseIterable, Sendable {
    case textEncoder = "text_encoder"
    case textEncoder2 = "text_encoder_2"
    case unet
    case vae
    case taesd

    public var folderName: String { rawValue }

    public var seed: UInt64 {
        switch self {
        case .textEncoder: return 10
        case .textEncoder2: return 11
        case .unet: return 12
        case .vae: return 13
        case .taesd: return 14
        }
    }

    public var weightsFileName: String {
        self == .textEncoder || self == .textEncoder2 ? "model.safetensors" : "diffusion_pytorch_model.safetensors"
    }

    var parameterList: TinyRandomParameterList {
        switch self {
        case .textEncoder: return .textEncoder()
        case .textEncoder2: return .textEncoderWithProjection()
        case .unet: return .unetXL()
        case .vae: return .autoencoder()
        case .taesd: return .tinyAutoencoder()
        }
    }

    /// The parameters, drawn from the weight stream (a fresh copy on every call).
    public func weights() -> [String: Tensor] { TinyRandomWeights.tensors(for: parameterList, seed: seed) }

    public var configurationJSON: String {
        switch self {
        case .textEncoder: return TinyRandomConfigurations.textEncoder
        case .textEncoder2: return TinyRandomXLConfigurations.textEncoder2
        case .unet: return TinyRandomXLConfigurations.unet
        case .vae: return TinyRandomXLConfigurations.autoencoder
        case .taesd: return TinyRandomConfigurations.tinyAutoencoder
        }
    }
}
