import DiffusionModels
import Foundation
import Schedulers
import SemanticDraw
import TensorRuntime

/// The scene of `bench --case region`: a 768 x 768 canvas with three brushes (two discs and a
/// rectangle, blur std 1 px) over a background prompt (case (c): the background is generated
/// as a fourth region), prompts given as token ids; and the two pipelines it runs on.
struct RegionBenchScene {
    let brushes: [RegionBrush]
    let background: RegionBackground
    let height: Int
    let width: Int
    /// The empty prompt as ids (the bench models have no tokenizer): start, end, padding.
    let emptyPrompt: PromptInput

    init(height: Int = 768, width: Int = 768, vocabularySize: Int) {
        self.height = height
        self.width = width
        func ids(_ seed: Int) -> PromptInput {
            let start = vocabularySize - 2, end = vocabularySize - 1
            let words = (0..<8).map { (seed * 131 + $0 * 37) % start }
            return .tokenIDs([start] + words + Array(repeating: end, count: 77 - 1 - words.count))
        }
        func mask(_ inside: (Double, Double) -> Bool) -> Tensor {
            let values = (0..<(height * width)).map { index -> Float in
                inside(Double(index / width) / Double(height), Double(index % width) / Double(width)) ? 1 : 0
            }
            return Tensor(shape: [height, width], values: values)
        }
        brushes = [
            RegionBrush(prompt: ids(1), mask: mask { y, x in (y - 0.3) * (y - 0.3) + (x - 0.3) * (x - 0.3) < 0.04 }),
            RegionBrush(prompt: ids(2), mask: mask { y, x in (y - 0.65) * (y - 0.65) + (x - 0.7) * (x - 0.7) < 0.05 }),
            RegionBrush(prompt: ids(3), mask: mask { y, x in y > 0.75 && x > 0.1 && x < 0.6 }),
        ]
        background = RegionBackground(prompt: ids(4))
        emptyPrompt = .tokenIDs([vocabularySize - 2] + Array(repeating: vocabularySize - 1, count: 76))
    }

    /// The settings of `method` for this canvas (SemanticDraw's or the baseline's defaults).
    func settings(_ method: RegionGenerationMethod) -> RegionGenerationSettings {
        var settings = method == .semanticDraw
            ? RegionGenerationSettings(height: height, width: width) : .baseline(height: height, width: width)
        settings.emptyPrompt = emptyPrompt
        return settings
    }

    /// The LCM scheduler configuration with SD1.5's constants (tiny-random's, which equals
    /// SD1.5's LCM-LoRA config); the baseline adapts it to DDIM.
    static func schedulerConfiguration() throws -> SchedulerConfiguration {
        try SchedulerConfiguration(data: TinyRandomModel.schedulerConfigurationJSON, file: "(tiny-random scheduler_config.json)")
    }

    /// The full-size SD1.5 architecture with random weights (CLIP ViT-L/14, UNet, KL VAE), its
    /// weight matrices in `precision` (the same random values either way, rounded for bf16).
    static func fullSizePipeline(precision: Precision = .fp32) throws -> RegionPipeline {
        let store = ParameterStore(randomWeightsSeed: 0)
        store.precision = precision
        return RegionPipeline(
            textEncoder: try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusion15TextEncoder(), store: store),
            tokenizer: nil,
            unet: try UNet2DConditionModel(configuration: ReferenceConfigurations.stableDiffusion15UNet(), store: store),
            autoencoder: try AutoencoderKL(configuration: ReferenceConfigurations.stableDiffusion15Autoencoder(), store: store),
            schedulerConfiguration: try schedulerConfiguration())
    }

    /// tiny-random, built in memory.
    static func tinyPipeline() throws -> RegionPipeline {
        let model = try TinyRandomModel()
        return RegionPipeline(textEncoder: model.textEncoder, tokenizer: nil, unet: model.unet,
                              autoencoder: model.autoencoder, schedulerConfiguration: try schedulerConfiguration())
    }
}
