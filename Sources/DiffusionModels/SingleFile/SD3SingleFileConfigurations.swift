import Foundation

/// The configurations an SD3/SD3.5 single file is loaded with: those of a diffusers folder
/// (`--config DIR`: `transformer/config.json`, and `text_encoder/`, `text_encoder_2/`, `vae/`
/// `config.json` for the networks the file carries), or the built-in ones of the published model
/// the file's shapes name (``SD3PublishedModel``), which are the `config.json` files diffusers
/// 0.42.1's `from_single_file` fetches for it (`DIFFUSERS_DEFAULT_PIPELINE_PATHS`).
struct SD3SingleFileConfigurations: Sendable {
    let transformer: SD3TransformerConfiguration
    /// nil when the file has no CLIP-L (it then loads from the folder with its own config).
    let textEncoder: CLIPTextConfiguration?
    let textEncoder2: CLIPTextConfiguration?
    let autoencoder: AutoencoderKLConfiguration?
    let schedulerJSON: Data
    /// The published model whose built-in configurations these are; nil for a folder's.
    let builtIn: SD3PublishedModel?

    /// The built-in configurations of `model`.
    static func builtIn(_ model: SD3PublishedModel) throws -> SD3SingleFileConfigurations {
        let name = "(built-in \(model.displayName) "
        return SD3SingleFileConfigurations(
            transformer: try SD3TransformerConfiguration.decode(data: Data(transformerJSON(model).utf8), name: name + "transformer config)"),
            textEncoder: try ConfigurationFile.decode(CLIPTextConfiguration.self, data: Data(clipL.utf8), name: name + "text_encoder config)"),
            textEncoder2: try ConfigurationFile.decode(CLIPTextConfiguration.self, data: Data(clipG.utf8), name: name + "text_encoder_2 config)"),
            autoencoder: try ConfigurationFile.decode(AutoencoderKLConfiguration.self, data: Data(autoencoder.utf8), name: name + "vae config)"),
            schedulerJSON: Data((model == .stableDiffusion3Medium ? sd3Scheduler : sd35Scheduler).utf8), builtIn: model)
    }

    /// The configurations of the diffusers folder `folder` for a file laid out as `layout`:
    /// `transformer/config.json` always; a network's `config.json` when the file carries that
    /// network (one it lacks loads from the folder with its weights); the scheduler's, else the
    /// built-in SD3 Medium one (SD3.5's when the file has a published SD3.5 shape).
    static func folder(_ folder: String, layout: SD3SingleFileLayout) throws -> SD3SingleFileConfigurations {
        func file(_ subfolder: String, _ name: String = "config.json") -> String {
            ((folder as NSString).appendingPathComponent(subfolder) as NSString).appendingPathComponent(name)
        }
        func required(_ subfolder: String) throws -> String {
            guard FileManager.default.fileExists(atPath: file(subfolder)) else {
                throw ModelLoadingError.missingConfiguration(folder: "\(folder) (the --config folder needs \(subfolder)/config.json)")
            }
            return file(subfolder)
        }
        let builtInScheduler = layout.model == nil || layout.model == .stableDiffusion3Medium ? sd3Scheduler : sd35Scheduler
        return SD3SingleFileConfigurations(
            transformer: try SD3TransformerConfiguration.load(path: required("transformer")),
            textEncoder: try layout.hasCLIPL ? ConfigurationFile.decode(CLIPTextConfiguration.self, from: required("text_encoder")) : nil,
            textEncoder2: try layout.hasCLIPG ? ConfigurationFile.decode(CLIPTextConfiguration.self, from: required("text_encoder_2")) : nil,
            autoencoder: try layout.hasAutoencoder ? AutoencoderKLConfiguration.load(path: required("vae")) : nil,
            schedulerJSON: FileManager.default.contents(atPath: file("scheduler", "scheduler_config.json")) ?? Data(builtInScheduler.utf8),
            builtIn: nil)
    }

    /// The published `transformer/config.json` of `model`.
    static func transformerJSON(_ model: SD3PublishedModel) -> String {
        switch model {
        case .stableDiffusion3Medium:
            return """
            {"_class_name": "SD3Transformer2DModel", "attention_head_dim": 64, "caption_projection_dim": 1536, "in_channels": 16,
             "joint_attention_dim": 4096, "num_attention_heads": 24, "num_layers": 24, "out_channels": 16, "patch_size": 2,
             "pooled_projection_dim": 2048, "pos_embed_max_size": 192, "sample_size": 128}
            """
        case .stableDiffusion35Medium:
            return """
            {"_class_name": "SD3Transformer2DModel", "attention_head_dim": 64, "caption_projection_dim": 1536,
             "dual_attention_layers": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "in_channels": 16, "joint_attention_dim": 4096,
             "num_attention_heads": 24, "num_layers": 24, "out_channels": 16, "patch_size": 2, "pooled_projection_dim": 2048,
             "pos_embed_max_size": 384, "qk_norm": "rms_norm", "sample_size": 128}
            """
        case .stableDiffusion35Large:
            return """
            {"_class_name": "SD3Transformer2DModel", "attention_head_dim": 64, "caption_projection_dim": 2432, "in_channels": 16,
             "joint_attention_dim": 4096, "num_attention_heads": 38, "num_layers": 38, "out_channels": 16, "patch_size": 2,
             "pooled_projection_dim": 2048, "pos_embed_max_size": 192, "qk_norm": "rms_norm", "sample_size": 128}
            """
        }
    }

    /// `text_encoder/config.json` of the SD3/SD3.5 repos: CLIP ViT-L/14 with projection.
    static let clipL = """
    {"architectures": ["CLIPTextModelWithProjection"], "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0,
     "eos_token_id": 2, "hidden_act": "quick_gelu", "hidden_size": 768, "initializer_factor": 1.0, "initializer_range": 0.02,
     "intermediate_size": 3072, "layer_norm_eps": 1e-05, "max_position_embeddings": 77, "model_type": "clip_text_model",
     "num_attention_heads": 12, "num_hidden_layers": 12, "pad_token_id": 1, "projection_dim": 768, "vocab_size": 49408}
    """

    /// `text_encoder_2/config.json` of the SD3/SD3.5 repos: OpenCLIP ViT-bigG/14 with projection.
    static let clipG = """
    {"architectures": ["CLIPTextModelWithProjection"], "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0,
     "eos_token_id": 2, "hidden_act": "gelu", "hidden_size": 1280, "initializer_factor": 1.0, "initializer_range": 0.02,
     "intermediate_size": 5120, "layer_norm_eps": 1e-05, "max_position_embeddings": 77, "model_type": "clip_text_model",
     "num_attention_heads": 20, "num_hidden_layers": 32, "pad_token_id": 1, "projection_dim": 1280, "vocab_size": 49408}
    """

    /// `vae/config.json` of the SD3/SD3.5 repos: 16 latent channels, no quant convolutions.
    static let autoencoder = """
    {"_class_name": "AutoencoderKL", "act_fn": "silu", "block_out_channels": [128, 256, 512, 512],
     "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
     "force_upcast": true, "in_channels": 3, "latent_channels": 16, "latents_mean": null, "latents_std": null,
     "layers_per_block": 2, "norm_num_groups": 32, "out_channels": 3, "sample_size": 1024, "scaling_factor": 1.5305,
     "shift_factor": 0.0609, "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
     "use_post_quant_conv": false, "use_quant_conv": false}
    """

    /// `scheduler/scheduler_config.json` of stabilityai/stable-diffusion-3-medium-diffusers.
    static let sd3Scheduler = """
    {"_class_name": "FlowMatchEulerDiscreteScheduler", "num_train_timesteps": 1000, "shift": 3.0}
    """

    /// `scheduler/scheduler_config.json` of stabilityai/stable-diffusion-3.5-medium and -large.
    static let sd35Scheduler = """
    {"_class_name": "FlowMatchEulerDiscreteScheduler", "base_image_seq_len": 256, "base_shift": 0.5,
     "invert_sigmas": false, "max_image_seq_len": 4096, "max_shift": 1.15, "num_train_timesteps": 1000, "shift": 3.0,
     "shift_terminal": null, "use_beta_sigmas": false, "use_dynamic_shifting": false, "use_exponential_sigmas": false,
     "use_karras_sigmas": false}
    """
}
