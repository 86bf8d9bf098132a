import Foundation
import TensorRuntime

/// `tiny-random`: a Stable Diffusion 1.5-architecture model small enough to build in memory in
/// a fraction of a second, with random weights drawn from PyTorch's Mersenne Twister stream (see
/// ``TinyRandomWeights``), so they are the same on every platform and in Python. Its images are
/// meaningless: it exists for tests, demos of the plumbing, and the browser test, which all use
/// the very same model through ``export(to:overwrite:)``.
///
/// Parts (configurations in ``TinyRandomComponent/configurationJSON``; docs/TINY_RANDOM.md):
/// - ``textEncoder``: CLIP text encoder over a byte-level vocabulary of 514 tokens
///   (``TinyRandomVocabulary``), hidden 32, 2 layers;
/// - ``unet``: UNet blocks (32, 64), one layer per block, cross-attention width 32;
/// - ``autoencoder``: KL VAE with four levels (latents 1/8 of the image, scaling 0.18215);
/// - ``tinyAutoencoder``: TAESD of width 16;
/// - an LCM scheduler config (exported as `scheduler/scheduler_config.json`).
public struct TinyRandomModel: Sendable {
    /// The model's name on the command line (`--model tiny-random`).
    public static let name = "tiny-random"

    /// What commands print when they use this model.
    public static let warning = "tiny-random: random weights, images are meaningless"

    /// The CLIP text encoder.
    public let textEncoder: CLIPTextModel
    /// The denoising UNet.
    public let unet: UNet2DConditionModel
    /// The KL autoencoder (the full VAE).
    public let autoencoder: AutoencoderKL
    /// The tiny autoencoder (TAESD).
    public let tinyAutoencoder: AutoencoderTiny

    /// Builds the four networks in memory (no files are read), with `loras` fused into the UNet
    /// and the text encoder (as into a folder of the same weights: `semantic-draw export tiny-random`).
    /// - Throws: ``LoRAError`` for a LoRA that does not fit; loading errors.
    public init(loras: [LoRAReference] = []) throws {
        let stores = TinyRandomComponent.allCases.map(Self.store)
        func store(_ component: TinyRandomComponent) -> ParameterStore { stores[TinyRandomComponent.allCases.firstIndex(of: component) ?? 0] }
        if !loras.isEmpty {
            for (index, component) in TinyRandomComponent.allCases.enumerated() {
                let target: LoRATarget
                switch component {
                case .unet: target = .unet
                case .textEncoder: target = .textEncoder
                case .vae, .taesd: continue
                }
                let weights = component.weights()
                let fusion = LoRAFusionTarget(
                    target: target, name: "(tiny-random \(component.folderName) weights)", weightShapes: weights.mapValues(\.shape),
                    unetConfiguration: target == .unet ? try Self.unetConfiguration() : nil,
                    baseWeight: { key in
                        guard let weight = weights[key] else { throw ModelLoadingError.missingParameter(key: key, file: "(tiny-random)") }
                        return weight
                    })
                stores[index].overrides = try LoRAFusion.overrides(for: fusion, references: loras)
            }
        }
        textEncoder = try CLIPTextModel(configuration: Self.textEncoderConfiguration(), store: store(.textEncoder), root: KeyPath())
        unet = try UNet2DConditionModel(configuration: Self.unetConfiguration(), store: store(.unet))
        autoencoder = try AutoencoderKL(configuration: Self.autoencoderConfiguration(), store: store(.vae))
        tinyAutoencoder = try AutoencoderTiny(configuration: Self.tinyAutoencoderConfiguration(), store: store(.taesd))
        // Strict both ways: every drawn tensor must have been taken by a network.
        for store in stores { try store.finish() }
    }

    /// The UNet configuration.
    public static func unetConfiguration() throws -> UNetConfiguration {
        try UNetConfiguration.decode(data: Data(TinyRandomConfigurations.unet.utf8), name: "(tiny-random unet config)")
    }

    /// The text encoder configuration.
    public static func textEncoderConfiguration() throws -> CLIPTextConfiguration {
        try ConfigurationFile.decode(CLIPTextConfiguration.self, data: Data(TinyRandomConfigurations.textEncoder.utf8),
                                     name: "(tiny-random text encoder config)")
    }

    /// The KL autoencoder configuration.
    public static func autoencoderConfiguration() throws -> AutoencoderKLConfiguration {
        try ConfigurationFile.decode(AutoencoderKLConfiguration.self, data: Data(TinyRandomConfigurations.autoencoder.utf8),
                                     name: "(tiny-random vae config)")
    }

    /// The TAESD configuration.
    public static func tinyAutoencoderConfiguration() throws -> AutoencoderTinyConfiguration {
        try ConfigurationFile.decode(AutoencoderTinyConfiguration.self, data: Data(TinyRandomConfigurations.tinyAutoencoder.utf8),
                                     name: "(tiny-random taesd config)")
    }

    /// The scheduler's `scheduler_config.json` (diffusers `LCMScheduler`), for
    /// `SchedulerConfiguration(data:file:)`.
    public static var schedulerConfigurationJSON: Data { Data(TinyRandomConfigurations.scheduler.utf8) }

    /// A strict in-memory store of `component`'s drawn weights.
    private static func store(_ component: TinyRandomComponent) -> ParameterStore {
        ParameterStore(tensors: component.weights(), name: "(tiny-random \(component.folderName) weights)")
    }
}
