import Foundation
import TensorRuntime

/// `tiny-random-xl`: an SDXL-architecture model small enough to build in memory in a fraction
/// of a second, with random weights drawn like tiny-random's (``TinyRandomWeights``): two CLIP
/// text encoders over tiny-random's byte-level vocabulary (the second with a projection and
/// SDXL's "!" pad token), a UNet with `text_time` inputs, linear projections and a two-layer
/// transformer block, the KL VAE with SDXL's scaling factor 0.13025, TAESD, and SDXL's Euler
/// scheduler configuration. For tests, demos and the browser test (docs/TINY_RANDOM.md).
public struct TinyRandomXLModel: Sendable {
    /// The model's name on the command line (`--model tiny-random-xl`).
    public static let name = "tiny-random-xl"
    /// What commands print when they use this model.
    public static let warning = "tiny-random-xl: random weights, images are meaningless"

    public let textEncoder: CLIPTextModel
    /// The second text encoder (with projection).
    public let textEncoder2: CLIPTextModel
    public let unet: UNet2DConditionModel
    public let autoencoder: AutoencoderKL
    public let tinyAutoencoder: AutoencoderTiny

    /// Builds the five networks in memory, with `loras` fused into the UNet and the text
    /// encoders (as into a folder of the same weights: `semantic-draw export tiny-random-xl`).
    /// - Throws: ``LoRAError`` for a LoRA that does not fit; loading errors.
    public init(loras: [LoRAReference] = []) throws {
        let components = TinyRandomXLComponent.allCases
        let stores = components.map { ParameterStore(tensors: $0.weights(), name: "(tiny-random-xl \($0.folderName) weights)") }
        func store(_ component: TinyRandomXLComponent) -> ParameterStore { stores[components.firstIndex(of: component) ?? 0] }
        if !loras.isEmpty {
            for (index, component) in components.enumerated() {
                guard let target = Self.loraTarget(component) else { continue }
                let weights = component.weights()
                let fusion = LoRAFusionTarget(
                    target: target, name: "(tiny-random-xl \(component.folderName) weights)", weightShapes: weights.mapValues(\.shape),
                    unetConfiguration: component == .unet ? try Self.unetConfiguration() : nil,
                    baseWeight: { key in
                        guard let weight = weights[key] else { throw ModelLoadingError.missingParameter(key: key, file: "(tiny-random-xl)") }
                        return weight
                    })
                stores[index].overrides = try LoRAFusion.overrides(for: fusion, references: loras, hasSecondTextEncoder: true)
            }
        }
        textEncoder = try CLIPTextModel(configuration: Self.configuration(.textEncoder), store: store(.textEncoder), root: KeyPath())
        textEncoder2 = try CLIPTextModel(configuration: Self.configuration(.textEncoder2), store: store(.textEncoder2), root: KeyPath())
        unet = try UNet2DConditionModel(configuration: Self.unetConfiguration(), store: store(.unet))
        autoencoder = try AutoencoderKL(configuration: ConfigurationFile.decode(
            AutoencoderKLConfiguration.self, data: Data(TinyRandomXLConfigurations.autoencoder.utf8), name: "(tiny-random-xl vae config)"),
            store: store(.vae))
        tinyAutoencoder = try AutoencoderTiny(configuration: TinyRandomModel.tinyAutoencoderConfiguration(), store: store(.taesd))
        for store in stores { try store.finish() }
    }

    /// The LoRA target of a component (nil: LoRAs do not adapt it).
    static func loraTarget(_ component: TinyRandomXLComponent) -> LoRATarget? {
        switch component {
        case .unet: return .unet
        case .textEncoder: return .textEncoder
        case .textEncoder2: return .textEncoder2
        case .vae, .taesd: return nil
        }
    }

    /// The UNet configuration.
    public static func unetConfiguration() throws -> UNetConfiguration {
        try UNetConfiguration.decode(data: Data(TinyRandomXLConfigurations.unet.utf8), name: "(tiny-random-xl unet config)")
    }

    static func configuration(_ component: TinyRandomXLComponent) throws -> CLIPTextConfiguration {
        try ConfigurationFile.decode(CLIPTextConfiguration.self, data: Data(component.configurationJSON.utf8),
                                     name: "(tiny-random-xl \(component.folderName) config)")
    }

    /// The scheduler's `scheduler_config.json` (SDXL's `EulerDiscreteScheduler`).
    public static var schedulerConfigurationJSON: Data { Data(TinyRandomXLConfigurations.scheduler.utf8) }

    /// The files ``export(to:overwrite:)`` writes, relative to the folder, in writing order.
    public static let exportedFiles: [String] = ["model_index.json", "scheduler/scheduler_config.json"]
        + ["tokenizer", "tokenizer_2"].flatMap { folder in
            ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"].map { "\(folder)/\($0)" }
        }
        + TinyRandomXLComponent.allCases.flatMap { ["\($0.folderName)/config.json", "\($0.folderName)/\($0.weightsFileName)"] }

    /// Writes the model as a diffusers `StableDiffusionXLPipeline` folder (plus TAESD as
    /// `taesd/`), each file atomically; the rules of ``TinyRandomModel/export(to:overwrite:)``.
    public static func export(to folder: String, overwrite: Bool = false) throws(TinyRandomExportError) {
        let second = TinyRandomModel.tokenizerFiles.merging([
            "tokenizer_config.json": TinyRandomXLConfigurations.secondTokenizerConfiguration,
            "special_tokens_map.json": TinyRandomXLConfigurations.secondSpecialTokensMap,
        ]) { $1 }
        var texts: [(String, String)] = [("model_index.json", TinyRandomXLConfigurations.modelIndex),
                                         ("scheduler/scheduler_config.json", TinyRandomXLConfigurations.scheduler)]
        for (name, contents) in TinyRandomModel.tokenizerFiles.sorted(by: { $0.key < $1.key }) { texts.append(("tokenizer/" + name, contents)) }
        for (name, contents) in second.sorted(by: { $0.key < $1.key }) { texts.append(("tokenizer_2/" + name, contents)) }
        var weights: [(String, [String: Tensor])] = []
        for component in TinyRandomXLComponent.allCases {
            texts.append(("\(component.folderName)/config.json", component.configurationJSON))
            weights.append(("\(component.folderName)/\(component.weightsFileName)", component.weights()))
        }
        try TinyRandomModel.writeFolder(folder, overwrite: overwrite, texts: texts, weights: weights, warning: warning)
    }
}
