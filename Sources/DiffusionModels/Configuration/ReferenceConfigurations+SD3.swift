import Foundation

/// The configurations of the real SD3 Medium networks
/// (`stabilityai/stable-diffusion-3-medium-diffusers`, without T5), for benchmarks and
/// full-size checks with random weights.
extension ReferenceConfigurations {
    /// SD3 Medium's `transformer/config.json`: 24 joint blocks of 24 heads x 64 channels,
    /// 2x2 patches of 16-channel latents, a 192 x 192 position grid.
    public static func stableDiffusion3MediumTransformer() throws -> SD3TransformerConfiguration {
        try SD3TransformerConfiguration.decode(data: Data("""
        {"sample_size": 128, "patch_size": 2, "in_channels": 16, "out_channels": 16, "num_layers": 24,
         "attention_head_dim": 64, "num_attention_heads": 24, "joint_attention_dim": 4096,
         "caption_projection_dim": 1536, "pooled_projection_dim": 2048, "pos_embed_max_size": 192}
        """.utf8), name: "(SD3 Medium transformer config)")
    }

    /// SD3's `text_encoder/config.json`: the CLIP ViT-L/14 text tower with its 768-wide projection.
    public static func stableDiffusion3TextEncoder() throws -> CLIPTextConfiguration {
        try ConfigurationFile.decode(CLIPTextConfiguration.self, data: Data("""
        {"vocab_size": 49408, "hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12,
         "num_attention_heads": 12, "max_position_embeddings": 77, "hidden_act": "quick_gelu",
         "layer_norm_eps": 1e-05, "eos_token_id": 2, "projection_dim": 768}
        """.utf8), name: "(SD3 text encoder config)")
    }

    /// SD3's `vae/config.json`: SD1.5's layout with 16 latent channels, no quant convolutions,
    /// shift 0.0609 and scaling 1.5305.
    public static func stableDiffusion3Autoencoder() throws -> AutoencoderKLConfiguration {
        try ConfigurationFile.decode(AutoencoderKLConfiguration.self, data: Data("""
        {"in_channels": 3, "out_channels": 3, "latent_channels": 16, "block_out_channels": [128, 256, 512, 512],
         "layers_per_block": 2, "norm_num_groups": 32, "sample_size": 1024, "scaling_factor": 1.5305,
         "shift_factor": 0.0609, "use_quant_conv": false, "use_post_quant_conv": false}
        """.utf8), name: "(SD3 vae config)")
    }
}
