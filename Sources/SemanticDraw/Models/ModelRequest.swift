import DiffusionModels
import TensorRuntime

/// A model to load: the base model, LoRAs fused into it, and an optional tiny autoencoder.
/// Names may be paths or hub repo ids (see ``ModelReference``).
public struct ModelRequest: Sendable, Equatable {
    /// `--model`: a diffusers folder, a single-file checkpoint, a repo id or "tiny-random".
    public var model: String
    /// `--config DIR`: the diffusers folder whose config files describe a single-file checkpoint.
    public var configurationFolder: String?
    /// `--lora` files or repo ids with their scales, fused in order.
    public var loras: [LoRAReference]
    /// `--tiny-vae`: a TAESD folder or repo id (or "tiny-random" for the tiny model's own);
    /// nil decodes with the model's full VAE.
    public var tinyAutoencoder: String?
    /// A safetensors file (a path, or `org/name/file.safetensors` on the hub) in diffusers keys
    /// whose weights replace the base model's UNet weights, under the base's UNet configuration:
    /// SDXL-Lightning's distilled UNet on SDXL base (``Preset/acceleratedUNet``). The base's
    /// own UNet weights are then not downloaded.
    public var unetWeights: String?
    /// The networks' weight precision (`--precision`; default fp32).
    public var precision: Precision = .fp32

    public init(model: String, configurationFolder: String? = nil, loras: [LoRAReference] = [], tinyAutoencoder: String? = nil,
                unetWeights: String? = nil) {
        self.model = model
        self.configurationFolder = configurationFolder
        self.loras = loras
        self.tinyAutoencoder = tinyAutoencoder
        self.unetWeights = unetWeights
    }

    /// The paper's demo set-up, used when no `--model` is given: an SD1.5 checkpoint
    /// (KBlueLeaf/kohaku-v2.1) with TAESD; the accelerator's LoRA (LCM-LoRA by default) comes
    /// from the preset and is fused first (``Preset/loraReference(for:)``), `extraLoRAs` after it.
    public static func defaultModel(extraLoRAs: [LoRAReference] = []) -> ModelRequest {
        ModelRequest(model: defaultModelName, loras: extraLoRAs, tinyAutoencoder: defaultTinyAutoencoder)
    }

    /// The default base model.
    public static let defaultModelName = "KBlueLeaf/kohaku-v2.1"
    /// The default SDXL base model (`--accelerator lightning` without `--model`), as the authors' SDXL pipeline.
    public static let defaultXLModelName = "stabilityai/stable-diffusion-xl-base-1.0"

    /// The default SD3 model (`--accelerator flash` without `--model`), as the authors' SD3 pipeline
    /// (a gated repo: accept its terms on the hub and set HF_TOKEN).
    public static let defaultSD3ModelName = "stabilityai/stable-diffusion-3-medium-diffusers"

    /// The default base model of `family`.
    public static func defaultModelName(for family: ModelFamily) -> String {
        switch family {
        case .stableDiffusion1: return defaultModelName
        case .stableDiffusionXL: return defaultXLModelName
        case .stableDiffusion3: return defaultSD3ModelName
        }
    }
    /// The default tiny autoencoder (TAESD for SD1.x).
    public static let defaultTinyAutoencoder = "madebyollin/taesd"
}
