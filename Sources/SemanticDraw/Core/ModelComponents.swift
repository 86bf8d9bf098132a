import DiffusionModels
import Schedulers
import TensorRuntime
import Tokenizer

/// The networks generation runs on — the one bundle the one-shot pipeline, panorama, the
/// baseline, the stream and the server share: the prompt encoder (tokenizer + text encoder),
/// the denoiser, the autoencoder that encodes and decodes (the full VAE, or TAESD), and the
/// model's scheduler configuration (which presets adapt). It holds no per-generation state.
public struct ModelComponents: Sendable {
    /// Prompts to ``TextConditioning``.
    public let promptEncoder: PromptEncoder
    /// The network the loops denoise with.
    public let denoiser: any Denoiser
    /// Encodes background and white images, decodes results (the KL VAE or TAESD).
    public let autoencoder: LatentAutoencoder
    /// The model's own `scheduler_config.json`.
    public let schedulerConfiguration: SchedulerConfiguration

    public init(promptEncoder: PromptEncoder, denoiser: any Denoiser, autoencoder: LatentAutoencoder,
                schedulerConfiguration: SchedulerConfiguration) {
        self.promptEncoder = promptEncoder
        self.denoiser = denoiser
        self.autoencoder = autoencoder
        self.schedulerConfiguration = schedulerConfiguration
    }

    /// The SD1.x/SD2.x bundle: CLIP text encoder (+ tokenizer for text prompts) and UNet.
    public init(textEncoder: CLIPTextModel, tokenizer: CLIPTokenizer?, unet: UNet2DConditionModel,
                autoencoder: LatentAutoencoder, schedulerConfiguration: SchedulerConfiguration) {
        self.init(promptEncoder: PromptEncoder(tokenizer: tokenizer, textEncoder: textEncoder), denoiser: unet,
                  autoencoder: autoencoder, schedulerConfiguration: schedulerConfiguration)
    }

    /// The family the networks belong to: SD3 when the denoiser is SD3's transformer, SDXL when
    /// the prompt encoder has a second encoder, else SD1.x/SD2.x.
    public var family: ModelFamily {
        if denoiser is SD3Transformer2DModel { return .stableDiffusion3 }
        return promptEncoder.second == nil ? .stableDiffusion1 : .stableDiffusionXL
    }

    /// The autoencoder's downsampling factor (8 for Stable Diffusion).
    public var scaleFactor: Int { autoencoder.scaleFactor }

    /// The conditioning of `prompts`, one text-encoder batch (``PromptEncoder/encode(_:)-([PromptInput])``).
    public func encode(_ prompts: [PromptInput]) throws -> TextConditioning { try promptEncoder.encode(prompts) }
}
