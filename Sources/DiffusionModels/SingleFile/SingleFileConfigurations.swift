import Foundation
import TensorRuntime

/// The configurations a single-file checkpoint is loaded with: those of a diffusers folder
/// (`--config DIR`), or the built-in ones of its architecture.
///
/// Built in (the diffusers folders' `config.json` values):
/// - SD1.x: `runwayml/stable-diffusion-v1-5` — UNet 320/640/1280/1280, 8 heads, cross-attention
///   768, convolution `proj_in`; CLIP ViT-L/14 text encoder (12 layers, hidden 768, `quick_gelu`);
///   VAE 128/256/512/512; `PNDMScheduler`, epsilon prediction.
/// - SD2.x: `stabilityai/stable-diffusion-2-1` — UNet heads 5/10/20/20, cross-attention 1024,
///   linear `proj_in`; OpenCLIP ViT-H/14 text tower as `CLIPTextModel` with 23 layers (SD2 uses
///   the penultimate layer), hidden 1024, 16 heads, `gelu`; the same VAE; `DDIMScheduler` with
///   **v-prediction** (SD2.x-base 512 models are epsilon-prediction: give them a configuration folder).
/// - SDXL: `stabilityai/stable-diffusion-xl-base-1.0` (see ``sdxlUNet`` and the other SDXL
///   strings in SingleFileConfigurations+SDXL.swift).
struct SingleFileConfigurations: Sendable {
    let unet: UNetConfiguration
    let textEncoder: CLIPTextConfiguration
    let autoencoder: AutoencoderKLConfiguration
    /// `scheduler/scheduler_config.json` of the folder, else the built-in one.
    let schedulerJSON: Data
    /// Whether these are the built-in configurations (shape mismatches then suggest `--config`).
    let isBuiltIn: Bool
    /// SDXL's second text encoder (`text_encoder_2/config.json`); nil for SD1.x/SD2.x.
    var textEncoder2: CLIPTextConfiguration? = nil
    /// The `config.json` text of each network by subfolder (`unet`, `text_encoder`,
    /// `text_encoder_2`, `vae`), where known (SDXL, SD2.x built in, any configuration folder).
    var configurationJSON: [String: Data] = [:]

    /// The built-in configurations of `architecture`.
    static func builtIn(_ architecture: StableDiffusionArchitecture) throws -> SingleFileConfigurations {
        switch architecture {
        case .stableDiffusion1:
            return SingleFileConfigurations(
                unet: try ReferenceConfigurations.stableDiffusion15UNet(),
                textEncoder: try ReferenceConfigurations.stableDiffusion15TextEncoder(),
                autoencoder: try ReferenceConfigurations.stableDiffusion15Autoencoder(),
                schedulerJSON: Data(stableDiffusion15Scheduler.utf8), isBuiltIn: true)
        case .stableDiffusion2:
            return SingleFileConfigurations(
                unet: try UNetConfiguration.decode(data: Data(stableDiffusion21UNet.utf8), name: "(built-in SD2.1 unet config)"),
                textEncoder: try ConfigurationFile.decode(CLIPTextConfiguration.self, data: Data(stableDiffusion21TextEncoder.utf8),
                                                          name: "(built-in SD2.1 text encoder config)"),
                autoencoder: try ConfigurationFile.decode(AutoencoderKLConfiguration.self, data: Data(stableDiffusion21Autoencoder.utf8),
                                                          name: "(built-in SD2.1 vae config)"),
                schedulerJSON: Data(stableDiffusion21Scheduler.utf8), isBuiltIn: true,
                configurationJSON: ["unet": Data(stableDiffusion21UNet.utf8), "text_encoder": Data(stableDiffusion21TextEncoder.utf8),
                                    "vae": Data(stableDiffusion21Autoencoder.utf8)])
        case .stableDiffusionXL:
            return try sdxlBuiltIn()
        }
    }

    /// The configurations of the diffusers folder `folder` (`unet/`, `text_encoder/`, `vae/`
    /// `config.json`, optionally `scheduler/scheduler_config.json`); the built-in scheduler of
    /// `architecture` when it has none.
    static func folder(_ folder: String, architecture: StableDiffusionArchitecture) throws -> SingleFileConfigurations {
        func file(_ subfolder: String, _ name: String = "config.json") -> String {
            ((folder as NSString).appendingPathComponent(subfolder) as NSString).appendingPathComponent(name)
        }
        let networks = architecture == .stableDiffusionXL ? ["unet", "text_encoder", "text_encoder_2", "vae"] : ["unet", "text_encoder", "vae"]
        var json: [String: Data] = [:]
        for subfolder in networks {
            guard let data = FileManager.default.contents(atPath: file(subfolder)) else {
                throw ModelLoadingError.missingConfiguration(folder: "\(folder) (the --config folder needs \(subfolder)/config.json)")
            }
            json[subfolder] = data
        }
        let builtInScheduler: String
        switch architecture {
        case .stableDiffusion1: builtInScheduler = stableDiffusion15Scheduler
        case .stableDiffusion2: builtInScheduler = stableDiffusion21Scheduler
        case .stableDiffusionXL: builtInScheduler = sdxlScheduler
        }
        return SingleFileConfigurations(
            unet: try architecture == .stableDiffusionXL ? unetLayout(data: json["unet"] ?? Data(), name: file("unet"))
                : UNetConfiguration.load(path: file("unet")),
            textEncoder: try textEncoderConfiguration(file("text_encoder")),
            autoencoder: try AutoencoderKLConfiguration.load(path: file("vae")),
            schedulerJSON: FileManager.default.contents(atPath: file("scheduler", "scheduler_config.json")) ?? Data(builtInScheduler.utf8),
            isBuiltIn: false,
            textEncoder2: try architecture == .stableDiffusionXL ? textEncoderConfiguration(file("text_encoder_2")) : nil,
            configurationJSON: json)
    }

    /// A text encoder's `config.json`, checked for what ``CLIPTextModel`` supports.
    private static func textEncoderConfiguration(_ textPath: String) throws -> CLIPTextConfiguration {
        let textEncoder = try ConfigurationFile.decode(CLIPTextConfiguration.self, from: textPath)
        guard [.quickGELU, .gelu].contains(Activation(rawValue: textEncoder.hiddenActivation)) else {
            throw ModelLoadingError.unsupportedConfiguration(file: textPath, field: "hidden_act", value: textEncoder.hiddenActivation)
        }
        guard textEncoder.attentionHeadCount > 0, textEncoder.hiddenSize % textEncoder.attentionHeadCount == 0 else {
            throw ModelLoadingError.unsupportedConfiguration(file: textPath, field: "num_attention_heads",
                value: "\(textEncoder.attentionHeadCount) (does not divide hidden_size \(textEncoder.hiddenSize))")
        }
        return textEncoder
    }

    /// `runwayml/stable-diffusion-v1-5` `scheduler/scheduler_config.json`.
    static let stableDiffusion15Scheduler = """
    {"_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
     "clip_sample": false, "num_train_timesteps": 1000, "set_alpha_to_one": false, "skip_prk_steps": true,
     "steps_offset": 1, "trained_betas": null}
    """

    /// `stabilityai/stable-diffusion-2-1` `scheduler/scheduler_config.json`.
    static let stableDiffusion21Scheduler = """
    {"_class_name": "DDIMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
     "clip_sample": false, "num_train_timesteps": 1000, "prediction_type": "v_prediction", "set_alpha_to_one": false,
     "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null}
    """

    /// `stabilityai/stable-diffusion-2-1` `unet/config.json`.
    static let stableDiffusion21UNet = """
    {"act_fn": "silu", "attention_head_dim": [5, 10, 20, 20], "block_out_channels": [320, 640, 1280, 1280],
     "center_input_sample": false, "cross_attention_dim": 1024,
     "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
     "downsample_padding": 1, "dual_cross_attention": false, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4,
     "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 32,
     "num_class_embeds": null, "only_cross_attention": false, "out_channels": 4, "sample_size": 96,
     "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
     "upcast_attention": true, "use_linear_projection": true}
    """

    /// `stabilityai/stable-diffusion-2-1` `text_encoder/config.json`.
    static let stableDiffusion21TextEncoder = """
    {"architectures": ["CLIPTextModel"], "attention_dropout": 0.0, "bos_token_id": 0, "dropout": 0.0, "eos_token_id": 2,
     "hidden_act": "gelu", "hidden_size": 1024, "initializer_factor": 1.0, "initializer_range": 0.02,
     "intermediate_size": 4096, "layer_norm_eps": 1e-05, "max_position_embeddings": 77, "model_type": "clip_text_model",
     "num_attention_heads": 16, "num_hidden_layers": 23, "pad_token_id": 1, "projection_dim": 512, "vocab_size": 49408}
    """

    /// `stabilityai/stable-diffusion-2-1` `vae/config.json`.
    static let stableDiffusion21Autoencoder = """
    {"act_fn": "silu", "block_out_channels": [128, 256, 512, 512],
     "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
     "in_channels": 3, "latent_channels": 4, "layers_per_block": 2, "norm_num_groups": 32, "out_channels": 3,
     "sample_size": 768, "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]}
    """
}
