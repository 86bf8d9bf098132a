import DiffusionModels
import Schedulers
import Tokenizer

/// Everything generation needs, loaded: text encoder and tokenizer, UNet (LoRAs fused), the
/// autoencoder that encodes and decodes (the full VAE, or TAESD when one was asked for), and the
/// scheduler configuration.
public struct LoadedModel: Sendable {
    public let textEncoder: CLIPTextModel
    public let tokenizer: CLIPTokenizer
    public let unet: UNet2DConditionModel
    /// The KL VAE, or TAESD when the request named a tiny autoencoder.
    public let autoencoder: LatentAutoencoder
    public let schedulerConfiguration: SchedulerConfiguration
    /// Where each part came from (folders, files, repo ids with commits), for logs.
    public let sources: [String]
    /// Things the user should know (e.g. the tiny-random warning).
    public let notes: [String]

    public init(textEncoder: CLIPTextModel, tokenizer: CLIPTokenizer, unet: UNet2DConditionModel, autoencoder: LatentAutoencoder,
                schedulerConfiguration: SchedulerConfiguration, sources: [String], notes: [String]) {
        self.textEncoder = textEncoder
        self.tokenizer = tokenizer
        self.unet = unet
        self.autoencoder = autoencoder
        self.schedulerConfiguration = schedulerConfiguration
        self.sources = sources
        self.notes = notes
    }

    /// The one-shot region pipeline over this model.
    public var regionPipeline: RegionPipeline {
        RegionPipeline(textEncoder: textEncoder, tokenizer: tokenizer, unet: unet, autoencoder: autoencoder,
                       schedulerConfiguration: schedulerConfiguration)
    }
}
