import Foundation

/// The networks of a single-file checkpoint converted to diffusers/transformers keys, with the
/// diffusers configurations they go with, not yet built into networks: what a pipeline loader
/// needs to build SD1.x, SD2.x or SDXL networks from the file (``SingleFileCheckpoint/components(configurationFolder:)``).
///
/// Each ``ConvertedWeights`` reads its tensors on demand from the memory-mapped file
/// (``ConvertedWeights/tensor(_:)``, ``ConvertedWeights/parameterStore()``); LoRAs fuse into
/// them through ``loraTarget(_:)``.
public struct SingleFileComponents: Sendable {
    /// The detected family.
    public let architecture: StableDiffusionArchitecture
    /// `UNet2DConditionModel` keys (SDXL: with `add_embedding.linear_1/2`).
    public let unet: ConvertedWeights
    /// `CLIPTextModel` keys, under `text_model.` (SDXL: the first text encoder).
    public let textEncoder: ConvertedWeights
    /// SDXL's second text encoder, `CLIPTextModelWithProjection` keys (`text_model.…`,
    /// `text_projection.weight`); nil for SD1.x/SD2.x.
    public let textEncoder2: ConvertedWeights?
    /// `AutoencoderKL` keys.
    public let autoencoder: ConvertedWeights
    /// The UNet's configuration (SDXL: with the `text_time` addition embedding).
    public let unetConfiguration: UNetConfiguration
    /// The text encoders' and the VAE's configurations.
    public let textEncoderConfiguration: CLIPTextConfiguration
    public let textEncoder2Configuration: CLIPTextConfiguration?
    public let autoencoderConfiguration: AutoencoderKLConfiguration
    /// The diffusers `config.json` text by subfolder (`unet`, `text_encoder`, `text_encoder_2`,
    /// `vae`): those of the configuration folder, or the built-in ones (SD2.1, SDXL base; the
    /// built-in SD1.5 configurations have none).
    public let configurationJSON: [String: Data]
    /// `scheduler_config.json` (the folder's, else the architecture's built-in one).
    public let schedulerConfigurationJSON: Data

    /// The network `target` as a LoRA fusion target, or nil when the model has no such network
    /// (``LoRATarget/textEncoder2`` outside SDXL; ``LoRATarget/transformer``: single files are
    /// UNet checkpoints).
    public func loraTarget(_ target: LoRATarget) -> LoRAFusionTarget? {
        switch target {
        case .unet: return unet.loraTarget(.unet, unetConfiguration: unetConfiguration)
        case .textEncoder: return textEncoder.loraTarget(.textEncoder, unetConfiguration: nil)
        case .textEncoder2: return textEncoder2?.loraTarget(.textEncoder2, unetConfiguration: nil)
        case .transformer: return nil
        }
    }
}

extension SingleFileCheckpoint {
    /// Converts the file's keys (reading its header only) and returns every network's weights
    /// with the configurations to build it with, for any architecture, SDXL included.
    ///
    /// - Parameter configurationFolder: a diffusers folder with `unet/`, `text_encoder/`
    ///   (SDXL: also `text_encoder_2/`) and `vae/` `config.json` describing the file; nil uses
    ///   the built-in configurations (SD1.5, SD2.1, SDXL base 1.0) and checks the file's widths
    ///   against them (``SingleFileError/doesNotMatchBuiltInConfiguration(path:architecture:detail:)``).
    /// - Throws: ``SingleFileError/unknownKeys(path:keys:)`` for keys that belong to no network,
    ///   ``ModelLoadingError`` for a configuration that cannot be read.
    public func components(configurationFolder: String?) throws -> SingleFileComponents {
        let (configurations, conversion) = try prepare(configurationFolder: configurationFolder)
        return SingleFileComponents(
            architecture: architecture, unet: conversion.unet, textEncoder: conversion.textEncoder,
            textEncoder2: conversion.textEncoder2, autoencoder: conversion.autoencoder,
            unetConfiguration: configurations.unet, textEncoderConfiguration: configurations.textEncoder,
            textEncoder2Configuration: configurations.textEncoder2, autoencoderConfiguration: configurations.autoencoder,
            configurationJSON: configurations.configurationJSON, schedulerConfigurationJSON: configurations.schedulerJSON)
    }
}
