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
        context.log("  building the full-size SD3 Medium architecture without T5 (random weights)")
        let store = ParameterStore(randomWeightsSeed: 0)
        var models: ModelComponents?
        let build = try BenchTiming.seconds {
            let transformer = try SD3Transformer2DModel(configuration: ReferenceConfigurations.stableDiffusion3MediumTransformer(), store: store)
            let promptEncoder = PromptEncoder(
                tokenizer: nil, textEncoder: try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusion3TextEncoder(), store: store),
                second: PromptEncoder.SecondEncoder(
                    tokenizer: nil, textEncoder: try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusionXLTextEncoder2(), store: store)),
                sd3Layout: PromptEncoder.SD3Layout(jointAttentionDimension: transformer.configuration.jointAttentionDimension))
            let autoencoder = try AutoencoderKL(configuration: ReferenceConfigurations.stableDiffusion3Autoencoder(), store: store)
            models = ModelComponents(promptEncoder: promptEncoder, denoiser: transformer, autoencoder: .kl(autoencoder),
                                     schedulerConfiguration: try SchedulerConfiguration(data: TinyRandomSD3Model.schedulerConfigurationJSON,
                                                                                        file: "(SD3 Medium scheduler_config.json)"))
        }
        guard let models else { throw CommandFailure("the SD3 networks were not built") }
        let builtResident = BenchTiming.peakResidentKilobytes()
        context.log("  built in \(BenchTiming.format(build, digits: 1)) s; peak RSS \(builtResident / 1024) MiB")

        let size = preset.oneShotCanvas, schedule = SlotSchedule.steps(4)
        let scene = RegionBenchScene(height: size, width: size, vocabularySize: models.promptEncoder.textEncoder.configuration.vocabularySize)
        var settings = scene.settings(.semanticDraw)
        settings.apply(preset, schedule: schedule)
        let oneShot = try TimedGeneration.run(RegionPipeline(components: models), scene: scene, settings: settings)
        let slots = [oneShot.marks.first ?? .nan] + oneShot.durations
        let decode = oneShot.total - (oneShot.marks.last ?? .nan)
        let peak = BenchTiming.peakResidentKilobytes()
        let f = { (value: Double) in BenchTiming.format(value, digits: 1) }
        let line = """
        sd3: full-size SD3 Medium (no T5), Flash: one-shot \(size)x\(size), 3 brushes + background, 4 slots: \
        \(slots.map(f).joined(separator: " / ")) s per slot (slot 0 with set-up), decode \(f(decode)) s, total \(f(oneShot.total)) s; \
        peak RSS \(builtResident / 1024) MiB built, \(peak / 1024) MiB at the end
        """
        return BenchReport(line: line, record: [
            "case": name, "threads": ComputeThreads.count, "blas": BLAS.implementation, "build_seconds": build,
            "one_shot_size": size, "one_shot_slot_seconds": slots, "one_shot_decode_seconds": decode, "one_shot_total_seconds": oneShot.total,
            "peak_rss_built_kib": builtResident, "peak_rss_kib": peak,
        ])
    }
}
