import Foundation

/// The configurations of the real SDXL networks (`stabilityai/stable-diffusion-xl-base-1.0`),
/// for benchmarks and full-size checks with random weights.
extension ReferenceConfigurations {
    /// SDXL base's `unet/config.json` (the fields that matter; the rest are diffusers defaults).
    public static func stableDiffusionXLUNet() throws -> UNetConfiguration {
        try UNetConfiguration.decode(data: Data("""
        {"in_channels": 4, "out_channels": 4, "block_out_channels": [320, 640, 1280],
         "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
         "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
         "layers_per_block": 2, "transformer_layers_per_block": [1, 2, 10], "attention_head_dim": [5, 10, 20],
         "cross_attention_dim": 2048, "use_linear_projection": true, "addition_embed_type": "text_time",
         "addition_time_embed_dim": 256, "projection_class_embeddings_input_dim": 2816, "norm_num_groups": 32,
         "norm_eps": 1e-05, "sample_size": 128, "flip_sin_to_cos": true, "freq_shift": 0}
        """.utf8), name: "(SDXL unet config)")
    }

    /// SDXL base's `text_encoder_2/config.json` (OpenCLIP ViT-bigG/14 text tower with projection).
    public static func stableDiffusionXLTextEncoder2() throws -> CLIPTextConfiguration {
        try ConfigurationFile.decode(CLIPTextConfiguration.self, data: Data("""
        {"vocab_size": 49408, "hidden_size": 1280, "intermediate_size": 5120, "num_hidden_layers": 32,
         "num_attention_heads": 20, "max_position_embeddings": 77, "hidden_act": "gelu",
         "layer_norm_eps": 1e-05, "eos_token_id": 2, "projection_dim": 1280}
        """.utf8), name: "(SDXL text encoder 2 config)")
    }

    /// SDXL base's `vae/config.json` (SD1.5's layout, scaling factor 0.13025).
    public static func stableDiffusionXLAutoencoder() throws -> AutoencoderKLConfiguration {
        try ConfigurationFile.decode(AutoencoderKLConfiguration.self, data: Data("""
        {"in_channels": 3, "out_channels": 3, "latent_channels": 4, "block_out_channels": [128, 256, 512, 512],
         "layers_per_block": 2, "norm_num_groups": 32, "sample_size": 1024, "scaling_factor": 0.13025, "force_upcast": true}
        """.utf8), name: "(SDXL vae config)")
    }
}
