import Foundation

/// The networks of a single-file checkpoint, converted to diffusers keys and loaded (see
/// ``SingleFileCheckpoint/load(configurationFolder:loras:)``).
public struct SingleFileModel: Sendable {
    /// The detected family.
    public let architecture: StableDiffusionArchitecture
    public let unet: UNet2DConditionModel
    public let textEncoder: CLIPTextModel
    /// SDXL's second text encoder (`CLIPTextModelWithProjection`: pooled `text_embeds`); nil
    /// for SD1.x/SD2.x.
    public let textEncoder2: CLIPTextModel?
    public let autoencoder: AutoencoderKL
    /// `scheduler_config.json` for the model: the configuration folder's
    /// `scheduler/scheduler_config.json` when it has one, else the built-in SD1.5
    /// (`PNDMScheduler`, epsilon) or SD2.1 (`DDIMScheduler`, v-prediction) file.
    public let schedulerConfigurationJSON: Data
    /// The tokenizer's pad token: `<|endoftext|>` for SD1.x, `!` for SD2.x (see
    /// `CLIPTokenizer.bundledCLIP(padToken:)`).
    public var tokenizerPadToken: String { architecture.tokenizerPadToken }
    /// The VAE's latent scaling factor (`scaling_factor` of its configuration).
    public var latentScalingFactor: Float { autoencoder.configuration.scalingFactor }
}
