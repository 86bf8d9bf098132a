import Foundation
import TensorRuntime

/// The four networks of the tiny-random model, each with its diffusers folder name, its
/// `config.json`, its parameter list and the seed of its weight stream (``TinyRandomWeights``).
public enum TinyRandomComponent: String, CaseIterable, Sendable {
    /// transformers `CLIPTextModel`: hidden 32, 2 layers, 4 heads, MLP 37, vocabulary 514.
    case textEncoder = "text_encoder"
    /// diffusers `UNet2DConditionModel`: blocks (32, 64), one layer per block, 4 heads,
    /// cross-attention width 32.
    case unet
    /// diffusers `AutoencoderKL`: blocks (16, 32, 32, 32), latents 4 x H/8 x W/8.
    case vae
    /// diffusers `AutoencoderTiny` (TAESD): width 16, four levels, one block per level.
    case taesd

    /// The subfolder of the exported pipeline folder.
    public var folderName: String { rawValue }

    /// The seed of this network's `TorchGenerator` weight stream.
    public var seed: UInt64 {
        switch self {
        case .textEncoder: return 0
        case .unet: return 1
        case .vae: return 2
        case .taesd: return 3
        }
    }

    /// The weights file name in the component folder.
    public var weightsFileName: String {
        self == .textEncoder ? "model.safetensors" : "diffusion_pytorch_model.safetensors"
    }

    /// The parameter keys and shapes.
    var parameterList: TinyRandomParameterList {
        switch self {
        case .textEncoder: return .textEncoder()
        case .unet: return .unet()
        case .vae: return .autoencoder()
        case .taesd: return .tinyAutoencoder()
        }
    }

    /// The parameters, drawn from the weight stream (a fresh copy on every call).
    public func weights() -> [String: Tensor] {
        TinyRandomWeights.tensors(for: parameterList, seed: seed)
    }

    /// The component's `config.json`, as exported.
    public var configurationJSON: String {
        switch self {
        case .textEncoder: return TinyRandomConfigurations.textEncoder
        case .unet: return TinyRandomConfigurations.unet
        case .vae: return TinyRandomConfigurations.autoencoder
        case .taesd: return TinyRandomConfigurations.tinyAutoencoder
        }
    }
}

/// The JSON files of the tiny-random model, written by the export and decoded for the in-memory
/// model, so that both use the very same configurations.
enum TinyRandomConfigurations {
    static let unet = """
    {
      "_class_name": "UNet2DConditionModel",
      "_diffusers_version": "0.42.1",
      "act_fn": "silu",
      "addition_embed_type": null,
      "attention_head_dim": 4,
      "attention_type": "default",
      "block_out_channels": [32, 64],
      "center_input_sample": false,
      "class_embed_type": null,
      "conv_in_kernel": 3,
      "conv_out_kernel": 3,
      "cross_attention_dim": 32,
      "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
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
      "resnet_out_scale_factor": 1.0,
      "resnet_time_scale_shift": "default",
      "sample_size": 64,
      "time_cond_proj_dim": null,
      "time_embedding_type": "positional",
      "transformer_layers_per_block": 1,
      "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
      "upcast_attention": false,
      "use_linear_projection": false
    }

    """

    static let textEncoder = """
    {
      "architectures": ["CLIPTextModel"],
      "attention_dropout": 0.0,
      "bos_token_id": 512,
      "dtype": "float32",
      "eos_token_id": 513,
      "hidden_act": "quick_gelu",
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

    static let autoencoder = """
    {
      "_class_name": "AutoencoderKL",
      "_diffusers_version": "0.42.1",
      "act_fn": "silu",
      "block_out_channels": [16, 32, 32, 32],
      "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
      "force_upcast": false,
      "in_channels": 3,
      "latent_channels": 4,
      "layers_per_block": 1,
      "mid_block_add_attention": true,
      "norm_num_groups": 8,
      "out_channels": 3,
      "sample_size": 512,
      "scaling_factor": 0.18215,
      "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
      "use_post_quant_conv": true,
      "use_quant_conv": true
    }

    """

    static let tinyAutoencoder = """
    {
      "_class_name": "AutoencoderTiny",
      "_diffusers_version": "0.42.1",
      "act_fn": "relu",
      "decoder_block_out_channels": [16, 16, 16, 16],
      "encoder_block_out_channels": [16, 16, 16, 16],
      "force_upcast": false,
      "in_channels": 3,
      "latent_channels": 4,
      "latent_magnitude": 3,
      "latent_shift": 0.5,
      "num_decoder_blocks": [1, 1, 1, 1],
      "num_encoder_blocks": [1, 1, 1, 1],
      "out_channels": 3,
      "scaling_factor": 1.0,
      "shift_factor": 0.0,
      "upsample_fn": "nearest",
      "upsampling_scaling_factor": 2
    }

    """

    /// diffusers' `LCMScheduler` as LCM-LoRA pipelines use it on SD1.5
    /// (`LCMScheduler.from_config(sd15_scheduler.config)`), the same as the `lcm-sd15` fixture.
    static let scheduler = """
    {
      "_class_name": "LCMScheduler",
      "_diffusers_version": "0.42.1",
      "beta_end": 0.012,
      "beta_schedule": "scaled_linear",
      "beta_start": 0.00085,
      "clip_sample": false,
      "clip_sample_range": 1.0,
      "dynamic_thresholding_ratio": 0.995,
      "num_train_timesteps": 1000,
      "original_inference_steps": 50,
      "prediction_type": "epsilon",
      "rescale_betas_zero_snr": false,
      "sample_max_value": 1.0,
      "set_alpha_to_one": false,
      "steps_offset": 1,
      "thresholding": false,
      "timestep_scaling": 10.0,
      "timestep_spacing": "leading",
      "trained_betas": null
    }

    """

    static let modelIndex = """
    {
      "_class_name": "StableDiffusionPipeline",
      "_diffusers_version": "0.42.1",
      "feature_extractor": [null, null],
      "image_encoder": [null, null],
      "requires_safety_checker": false,
      "safety_checker": [null, null],
      "scheduler": ["diffusers", "LCMScheduler"],
      "text_encoder": ["transformers", "CLIPTextModel"],
      "tokenizer": ["transformers", "CLIPTokenizer"],
      "unet": ["diffusers", "UNet2DConditionModel"],
      "vae": ["diffusers", "AutoencoderKL"]
    }

    """

    static let tokenizerConfiguration = """
    {
      "bos_token": "<|startoftext|>",
      "do_lower_case": true,
      "eos_token": "<|endoftext|>",
      "errors": "replace",
      "model_max_length": 77,
      "pad_token": "<|endoftext|>",
      "tokenizer_class": "CLIPTokenizer",
      "unk_token": "<|endoftext|>"
    }

    """

    static let specialTokensMap = """
    {
      "bos_token": "<|startoftext|>",
      "eos_token": "<|endoftext|>",
      "pad_token": "<|endoftext|>",
      "unk_token": "<|endoftext|>"
    }

    """

    /// Only the header line: no merges, so every byte stays its own token.
    static let merges = "#version: 0.2\n"
}
