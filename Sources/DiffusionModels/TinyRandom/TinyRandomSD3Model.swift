import Foundation
import TensorRuntime

/// `tiny-random-sd3`: a Stable Diffusion 3-architecture model small enough to build in memory in
/// a fraction of a second, with random weights drawn like tiny-random's (``TinyRandomWeights``):
/// two `CLIPTextModelWithProjection` encoders over tiny-random's byte-level vocabulary (the
/// second padding with "!", as SD3's `tokenizer_2`), an `SD3Transformer2DModel` (MMDiT, width
/// 32, 2 blocks, `joint_attention_dim` 96 so that the two encoders' 64 channels are zero-padded
/// as SD3 pads 2048 to 4096), the KL VAE with SD3's 16 latent channels, scaling 1.5305 and
/// shift 0.0609, TAESD with 16 channels, and SD3's flow-matching scheduler configuration
/// (shift 3.0). No T5: SemanticDraw's SD3 set-up drops it. For tests, demos and the browser
/// test (docs/TINY_RANDOM.md).
public struct TinyRandomSD3Model: Sendable {
    /// The model's name on the command line (`--model tiny-random-sd3`).
    public static let name = "tiny-random-sd3"
    /// What commands print when they use this model.
    public static let warning = "tiny-random-sd3: random weights, images are meaningless"

    /// The first text encoder (with projection; CLIP-L's place).
    public let textEncoder: CLIPTextModel
    /// The second text encoder (with projection; CLIP-G's place).
    public let textEncoder2: CLIPTextModel
    public let transformer: SD3Transformer2DModel
    public let autoencoder: AutoencoderKL
    public let tinyAutoencoder: AutoencoderTiny

    /// Builds the five networks in memory, with `loras` fused into the transformer and the text
    /// encoders (as into a folder of the same weights: `semantic-draw export tiny-random-sd3`).
    /// - Throws: ``LoRAError`` for a LoRA that does not fit (UNet layers are refused); loading errors.
    public init(loras: [LoRAReference] = []) throws {
        let components = TinyRandomSD3Component.allCases
        let stores = components.map { ParameterStore(tensors: $0.weights(), name: "(tiny-random-sd3 \($0.folderName) weights)") }
        func store(_ component: TinyRandomSD3Component) -> ParameterStore { stores[components.firstIndex(of: component) ?? 0] }
        if !loras.isEmpty {
            for (index, component) in components.enumerated() {
                guard let target = Self.loraTarget(component) else { continue }
                let weights = component.weights()
                let fusion = LoRAFusionTarget(
                    target: target, name: "(tiny-random-sd3 \(component.folderName) weights)", weightShapes: weights.mapValues(\.shape),
                    unetConfiguration: nil,
                    baseWeight: { key in
                        guard let weight = weights[key] else { throw ModelLoadingError.missingParameter(key: key, file: "(tiny-random-sd3)") }
                        return weight
                    })
                stores[index].overrides = try LoRAFusion.overrides(for: fusion, references: loras, hasSecondTextEncoder: true)
            }
        }
        textEncoder = try CLIPTextModel(configuration: Self.configuration(.textEncoder), store: store(.textEncoder), root: KeyPath())
        textEncoder2 = try CLIPTextModel(configuration: Self.configuration(.textEncoder2), store: store(.textEncoder2), root: KeyPath())
        transformer = try SD3Transformer2DModel(configuration: Self.transformerConfiguration(), store: store(.transformer))
        autoencoder = try AutoencoderKL(configuration: ConfigurationFile.decode(
            AutoencoderKLConfiguration.self, data: Data(TinyRandomSD3Configurations.autoencoder.utf8), name: "(tiny-random-sd3 vae config)"),
            store: store(.vae))
        tinyAutoencoder = try AutoencoderTiny(configuration: ConfigurationFile.decode(
            AutoencoderTinyConfiguration.self, data: Data(TinyRandomSD3Configurations.tinyAutoencoder.utf8),
            name: "(tiny-random-sd3 taesd config)"), store: store(.taesd))
        for store in stores { try store.finish() }
    }

    /// The LoRA target of a component (nil: LoRAs do not adapt it).
    static func loraTarget(_ component: TinyRandomSD3Component) -> LoRATarget? {
        switch component {
        case .transformer: return .transformer
        case .textEncoder: return .textEncoder
        case .textEncoder2: return .textEncoder2
        case .vae, .taesd: return nil
        }
    }

    /// The transformer configuration.
    public static func transformerConfiguration() throws -> SD3TransformerConfiguration {
        try SD3TransformerConfiguration.decode(data: Data(TinyRandomSD3Configurations.transformer.utf8), name: "(tiny-random-sd3 transformer config)")
    }

    static func configuration(_ component: TinyRandomSD3Component) throws -> CLIPTextConfiguration {
        try ConfigurationFile.decode(CLIPTextConfiguration.self, data: Data(component.configurationJSON.utf8),
                                     name: "(tiny-random-sd3 \(component.folderName) config)")
    }

    /// The scheduler's `scheduler_config.json` (SD3's `FlowMatchEulerDiscreteScheduler`, shift 3.0).
    public static var schedulerConfigurationJSON: Data { Data(TinyRandomSD3Configurations.scheduler.utf8) }

    /// The files ``export(to:overwrite:)`` writes, relative to the folder, in writing order.
    public static let exportedFiles: [String] = ["model_index.json", "scheduler/scheduler_config.json"]
        + ["tokenizer", "tokenizer_2"].flatMap { folder in
            ["merges.txt", "special_tokens_map.json", "tokenizer_config.json", "vocab.json"].map { "\(folder)/\($0)" }
        }
        + TinyRandomSD3Component.allCases.flatMap { ["\($0.folderName)/config.json", "\($0.folderName)/\($0.weightsFileName)"] }

    /// Writes the model as a diffusers `StableDiffusion3Pipeline` folder without T5 (plus TAESD
    /// as `taesd/`), each file atomically; the rules of ``TinyRandomModel/export(to:overwrite:)``.
    public static func export(to folder: String, overwrite: Bool = false) throws(TinyRandomExportError) {
        let second = TinyRandomModel.tokenizerFiles.merging([
            "tokenizer_config.json": TinyRandomXLConfigurations.secondTokenizerConfiguration,
            "special_tokens_map.json": TinyRandomXLConfigurations.secondSpecialTokensMap,
        ]) { $1 }
        var texts: [(String, String)] = [("model_index.json", TinyRandomSD3Configurations.modelIndex),
                                         ("scheduler/scheduler_config.json", TinyRandomSD3Configurations.scheduler)]
        for (name, contents) in TinyRandomModel.tokenizerFiles.sorted(by: { $0.key < $1.key }) { texts.append(("tokenizer/" + name, contents)) }
        for (name, contents) in second.sorted(by: { $0.key < $1.key }) { texts.append(("tokenizer_2/" + name, contents)) }
        var weights: [(String, [String: Tensor])] = []
        for component in TinyRandomSD3Component.allCases {
            texts.append(("\(component.folderName)/config.json", component.configurationJSON))
            weights.append(("\(component.folderName)/\(component.weightsFileName)", component.weights()))
        }
        try TinyRandomModel.writeFolder(folder, overwrite: overwrite, texts: texts, weights: weights, warning: warning)
    }
}
