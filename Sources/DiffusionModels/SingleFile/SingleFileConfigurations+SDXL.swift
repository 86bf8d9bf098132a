import Foundation

/// The built-in SDXL configurations: `stabilityai/stable-diffusion-xl-base-1.0`'s `config.json`
/// files, which diffusers 0.42.1's `from_single_file` fetches for a checkpoint it infers as
/// `xl_base` (`single_file_utils.DIFFUSERS_DEFAULT_PIPELINE_PATHS`): UNet 320/640/1280 with
/// transformer depth 1/2/10, heads 5/10/20, cross-attention 2048, linear `proj_in`, addition
/// embedding `text_time` (time embedding 256, projection input 2816); CLIP ViT-L/14
/// (`quick_gelu`, 768) and OpenCLIP ViT-bigG/14 as `CLIPTextModelWithProjection` (32 layers,
/// 1280, 20 heads, `gelu`, projection 1280); VAE 128/256/512/512 with scaling factor 0.13025;
/// `EulerDiscreteScheduler`, epsilon prediction, `leading` spacing.
extension SingleFileConfigurations {
    static func sdxlBuiltIn() throws -> SingleFileConfigurations {
        SingleFileConfigurations(
            unet: try unetLayout(data: Data(sdxlUNet.utf8), name: "(built-in SDXL unet config)"),
            textEncoder: try ConfigurationFile.decode(CLIPTextConfiguration.self, data: Data(sdxlTextEncoder.utf8),
                                                      name: "(built-in SDXL text encoder config)"),
            autoencoder: try ConfigurationFile.decode(AutoencoderKLConfiguration.self, data: Data(sdxlAutoencoder.utf8),
                                                      name: "(built-in SDXL vae config)"),
            schedulerJSON: Data(sdxlScheduler.utf8), isBuiltIn: true,
            textEncoder2: try ConfigurationFile.decode(CLIPTextConfiguration.self, data: Data(sdxlTextEncoder2.utf8),
                                                       name: "(built-in SDXL text encoder 2 config)"),
            configurationJSON: ["unet": Data(sdxlUNet.utf8), "text_encoder": Data(sdxlTextEncoder.utf8),
                                "text_encoder_2": Data(sdxlTextEncoder2.utf8), "vae": Data(sdxlAutoencoder.utf8)])
    }

    /// The UNet configuration of `data` (SDXL's, with `addition_embed_type` "text_time").
    static func unetLayout(data: Data, name: String) throws -> UNetConfiguration {
        try UNetConfiguration.decode(data: data, name: name)
    }

    /// `stabilityai/stable-diffusion-xl-base-1.0` `unet/config.json`.
    static let sdxlUNet = """
    {"_class_name": "UNet2DConditionModel", "act_fn": "silu", "addition_embed_type": "text_time",
     "addition_embed_type_num_heads": 64, "addition_time_embed_dim": 256, "attention_head_dim": [5, 10, 20],
     "block_out_channels": [320, 640, 1280], "center_input_sample": false, "class_embed_type": null,
     "class_embeddings_concat": false, "conv_in_kernel": 3, "conv_out_kernel": 3, "cross_attention_dim": 2048,
     "cross_attention_norm": null, "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
     "downsample_padding": 1, "dual_cross_attention": false, "encoder_hid_dim": null, "encoder_hid_dim_type": null,
     "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
     "mid_block_only_cross_attention": null, "mid_block_scale_factor": 1, "mid_block_type": "UNetMidBlock2DCrossAttn",
     "norm_eps": 1e-05, "norm_num_groups": 32, "num_attention_heads": null, "num_class_embeds": null,
     "only_cross_attention": false, "out_channels": 4, "projection_class_embeddings_input_dim": 2816,
     "resnet_out_scale_factor": 1.0, "resnet_skip_time_act": false, "resnet_time_scale_shift": "default",
     "sample_size": 128, "time_cond_proj_dim": null, "time_embedding_act_fn": null, "time_embedding_dim": null,
     "time_embedding_type": "positional", "timestep_post_act": null, "transformer_layers_per_block": [1, 2, 10],
     "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"], "upcast_attention": null,
     "use_linear_projection": true}
    """

    /// `stabilityai/stable-diffusion-xl-base-1.0` `text_encoder/config.json`.
    static let sdxlTextEncoder = """
    {"architectures": ["CLIPTextModel"], "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0, "eos_token_id": 2,
     "hidden_act": "quick_gelu", "hidden_size": 768, "initializer_factor": 1.0, "initializer_range": 0.02,
     "intermediate_size": 3072, "layer_norm_eps": 1e-05, "max_position_embeddings": 77, "model_type": "clip_text_model",
     "num_attention_heads": 12, "num_hidden_layers": 12, "pad_token_id": 1, "projection_dim": 768, "vocab_size": 49408}
    """

    /// `stabilityai/stable-diffusion-xl-base-1.0` `text_encoder_2/config.json`.
    static let sdxlTextEncoder2 = """
    {"architectures": ["CLIPTextModelWithProjection"], "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0,
     "eos_token_id": 2, "hidden_act": "gelu", "hidden_size": 1280, "initializer_factor": 1.0, "initializer_range": 0.02,
     "intermediate_size": 5120, "layer_norm_eps": 1e-05, "max_position_embeddings": 77, "model_type": "clip_text_model",
     "num_attention_heads": 20, "num_hidden_layers": 32, "pad_token_id": 1, "projection_dim": 1280, "vocab_size": 49408}
    """

    /// `stabilityai/stable-diffusion-xl-base-1.0` `vae/config.json`.
    static let sdxlAutoencoder = """
    {"_class_name": "AutoencoderKL", "act_fn": "silu", "block_out_channels": [128, 256, 512, 512],
     "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
     "force_upcast": true, "in_channels": 3, "latent_channels": 4, "layers_per_block": 2, "norm_num_groups": 32,
     "out_channels": 3, "sample_size": 1024, "scaling_factor": 0.13025,
     "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]}
    """

    /// `stabilityai/stable-diffusion-xl-base-1.0` `scheduler/scheduler_config.json`.
    static let sdxlScheduler = """
    {"_class_name": "EulerDiscreteScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
     "clip_sample": false, "interpolation_type": "linear", "num_train_timesteps": 1000, "prediction_type": "epsilon",
     "sample_max_value": 1.0, "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1,
     "timestep_spacing": "leading", "trained_betas": null, "use_karras_sigmas": false}
    """
}
