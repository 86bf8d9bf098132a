import Foundation

/// The configurations of the real Stable Diffusion 1.5 networks (as in the
/// `stable-diffusion-v1-5` diffusers folders) and of TAESD, for benchmarks and full-size checks
/// with random weights.
public enum ReferenceConfigurations {
    /// SD1.5's `unet/config.json` (the fields that matter; the rest are diffusers defaults).
    public static func stableDiffusion15UNet() throws -> UNetConfiguration {
        try UNetConfiguration.decode(data: Data("""
        {"in_channels": 4, "out_channels": 4, "block_out_channels": [320, 640, 1280, 1280],
         "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
         "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
         "layers_per_block": 2, "attention_head_dim": 8, "cross_attention_dim": 768, "norm_num_groups": 32,
         "norm_eps": 1e-05, "sample_size": 64, "flip_sin_to_cos": true, "freq_shift": 0}
        """.utf8), name: "(SD1.5 unet config)")
    }

    /// SD1.5's `text_encoder/config.json` (OpenAI CLIP ViT-L/14 text tower).
    public static func stableDiffusion15TextEncoder() throws -> CLIPTextConfiguration {
        try ConfigurationFile.decode(CLIPTextConfiguration.self, data: Data("""
        {"vocab_size": 49408, "hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12,
         "num_attention_heads": 12, "max_position_embeddings": 77, "hidden_act": "quick_gelu",
         "layer_norm_eps": 1e-05, "eos_token_id": 2}
        """.utf8), name: "(SD1.5 text encoder config)")
    }

    /// SD1.5's `vae/config.json`.
    public static func stableDiffusion15Autoencoder() throws -> AutoencoderKLConfiguration {
        try ConfigurationFile.decode(AutoencoderKLConfiguration.self, data: Data("""
        {"in_channels": 3, "out_channels": 3, "latent_channels": 4, "block_out_channels": [128, 256, 512, 512],
         "layers_per_block": 2, "norm_num_groups": 32, "sample_size": 512, "scaling_factor": 0.18215}
        """.utf8), name: "(SD1.5 vae config)")
    }

    /// TAESD's `config.json` (diffusers `AutoencoderTiny` defaults).
    public static func tinyAutoencoder() throws -> AutoencoderTinyConfiguration {
        try ConfigurationFile.decode(AutoencoderTinyConfiguration.self, data: Data("{}".utf8), name: "(TAESD config)")
    }
}
