import DiffusionModels
import Foundation
import Schedulers
import SemanticDraw
import TensorRuntime

/// `bench --case sd3`: the full-size SD3 Medium architecture without T5 (both CLIP text
/// encoders with projections, the 2B-parameter transformer, the 16-channel VAE; random weights)
/// on the SD3 × Flash preset. No PyTorch counterpart (the transformer alone is `sd3-transformer`).
///
/// - Memory: peak resident set size after building the networks and at the end.
/// - One-shot: 1024 x 1024 (the preset's canvas), 3 brushes over a background prompt (4 regions,
///   one view), Flash's 4-step schedule (guidance 0), full VAE; each slot timed from the
///   progress reports, and the decode.
///
/// There is no live-frame figure: a 512 x 512 frame is 5 slots x 4 regions of transformer
/// passes, about a quarter of a 1024 x 1024 pass each, so it costs more than the whole one-shot
/// image above on a CPU; `bench --case stream` measures the stream's mechanics on SD1.5.
enum SD3PipelineBenchCase: StandaloneBenchmark {
    static let name = "sd3"
    static let summary = "full-size SD3 Medium without T5 (random weights), Flash: 1024x1024 one-shot with 3 brushes and 4 slots timed per slot, peak RSS"

    static func run(_ context: BenchContext) throws -> BenchReport {
        let preset = try Preset.preset(.stableDiffusion3, accelerator: .flash)
        let built = try FullSizePipelineBench.build("SD3 Medium architecture without T5", context: context) {
            let store = ParameterStore(randomWeightsSeed: 0)
            let transformer = try SD3Transformer2DModel(configuration: ReferenceConfigurations.stableDiffusion3MediumTransformer(), store: store)
            let promptEncoder = PromptEncoder(
                tokenizer: nil, textEncoder: try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusion3TextEncoder(), store: store,
                                                           withProjection: true),
                second: PromptEncoder.SecondEncoder(
                    tokenizer: nil, textEncoder: try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusionXLTextEncoder2(), store: store,
                                                                    withProjection: true)),
                sd3Layout: PromptEncoder.SD3Layout(jointAttentionDimension: transformer.configuration.jointAttentionDimension))
            let autoencoder = try AutoencoderKL(configuration: ReferenceConfigurations.stableDiffusion3Autoencoder(), store: store)
            return ModelComponents(promptEncoder: promptEncoder, denoiser: transformer, autoencoder: .kl(autoencoder),
                                   schedulerConfiguration: try SchedulerConfiguration(data: TinyRandomSD3Model.schedulerConfigurationJSON,
                                                                                      file: "(SD3 Medium scheduler_config.json)"))
        }
        let oneShot = try FullSizePipelineBench.oneShot(models: built.models, preset: preset)
        let peak = BenchTiming.peakResidentKilobytes()
        let line = "sd3: full-size SD3 Medium (no T5), Flash: \(oneShot.summary); "
            + "peak RSS \(built.residentKilobytes / 1024) MiB built, \(peak / 1024) MiB at the end"
        return BenchReport(line: line, record: FullSizePipelineBench.record(name: name, built: built, oneShot: oneShot, peakKilobytes: peak))
    }
}
