import DiffusionModels
import Schedulers
import TensorRuntime
import Tokenizer

/// The networks a live stream runs on, shared by every ``StreamSession`` of one model worker.
/// Nothing here holds per-session state: a server loads one `StreamModels` and opens one
/// session per connected palette.
public struct StreamModels: Sendable {
    /// The CLIP text encoder (used by ``TextEncoderPromptEncoding``).
    public let textEncoder: CLIPTextModel
    /// Needed for ``PromptInput/text(_:)`` prompts; token-id prompts need none.
    public let tokenizer: CLIPTokenizer?
    /// The denoising UNet.
    public let unet: UNet2DConditionModel
    /// Encodes background and white images and decodes frames: normally the tiny autoencoder
    /// (TAESD, `LatentAutoencoder.tiny`), as ALGORITHM.md §5 prescribes for the stream.
    public let autoencoder: LatentAutoencoder
    /// The model's `scheduler_config.json` (the stream always runs the LCM scheduler on it).
    public let schedulerConfiguration: SchedulerConfiguration

    /// Bundles the networks of one model.
    public init(textEncoder: CLIPTextModel, tokenizer: CLIPTokenizer?, unet: UNet2DConditionModel,
                autoencoder: LatentAutoencoder, schedulerConfiguration: SchedulerConfiguration) {
        self.textEncoder = textEncoder
        self.tokenizer = tokenizer
        self.unet = unet
        self.autoencoder = autoencoder
        self.schedulerConfiguration = schedulerConfiguration
    }

    /// The one-shot pipeline over the same networks (the stream reuses its prompt encoding).
    var regionPipeline: RegionPipeline {
        RegionPipeline(textEncoder: textEncoder, tokenizer: tokenizer, unet: unet, autoencoder: autoencoder,
                       schedulerConfiguration: schedulerConfiguration)
    }
}
