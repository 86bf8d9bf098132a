import DiffusionModels
import Foundation
import Schedulers
import SemanticDraw
import TensorRuntime

/// `bench --case sdxl`: the full-size SDXL architecture (both text encoders, the UNet, the VAE
/// and TAESD-sized TAESDXL, random weights) on the SDXL × Lightning preset. No PyTorch
/// counterpart (the UNet alone is `unet-xl-b1/b2`).
///
/// - Memory: peak resident set size after building the networks and at the end.
/// - One-shot: 1024 x 1024 (the preset's canvas), 3 brushes over a background prompt (4
///   regions, one view), Lightning's 4-step schedule (Euler "trailing", guidance 0), full VAE;
///   each slot timed from the progress reports, and the decode.
/// - Live: the stream at 512 x 512 (the preset's live canvas), the same brushes (blur 8), the
///   preset's 5 stream slots, TAESDXL; seconds per frame after one warm-up frame (`--repeats`
///   frames).
enum XLPipelineBenchCase: StandaloneBenchmark {
    static let name = "sdxl"
    static let summary = "full-size SDXL (random weights), Lightning: 1024x1024 one-shot with 3 brushes and 4 slots timed per slot, a live 512x512 frame, peak RSS"

    static func run(_ context: BenchContext) throws -> BenchReport {
        let preset = try Preset.preset(.stableDiffusionXL, accelerator: .lightning)
        context.log("  building the full-size SDXL architecture (random weights)")
        let store = ParameterStore(randomWeightsSeed: 0)
        var models: ModelComponents?
        let build = try BenchTiming.seconds {
            let promptEncoder = PromptEncoder(
                tokenizer: nil, textEncoder: try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusion15TextEncoder(), store: store),
                second: PromptEncoder.SecondEncoder(
                    tokenizer: nil, textEncoder: try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusionXLTextEncoder2(), store: store)))
            let unet = try UNet2DConditionModel(configuration: ReferenceConfigurations.stableDiffusionXLUNet(), store: store)
            let autoencoder = try AutoencoderKL(configuration: ReferenceConfigurations.stableDiffusionXLAutoencoder(), store: store)
            models = ModelComponents(promptEncoder: promptEncoder, denoiser: unet, autoencoder: .kl(autoencoder),
                                     schedulerConfiguration: try SchedulerConfiguration(data: TinyRandomXLModel.schedulerConfigurationJSON,
                                                                                        file: "(SDXL base scheduler_config.json)"))
        }
        guard let models else { throw CommandFailure("the SDXL networks were not built") }
        let builtResident = BenchTiming.peakResidentKilobytes()
        context.log("  built in \(BenchTiming.format(build, digits: 1)) s; peak RSS \(builtResident / 1024) MiB")

        // One-shot, 1024 x 1024, 4 Lightning steps.
        let size = preset.oneShotCanvas, schedule = SlotSchedule.steps(4)
        let scene = RegionBenchScene(height: size, width: size, vocabularySize: models.promptEncoder.textEncoder.configuration.vocabularySize)
        var settings = scene.settings(.semanticDraw)
        settings.apply(preset, schedule: schedule)
        let oneShot = try TimedGeneration.run(RegionPipeline(components: models), scene: scene, settings: settings)
        let slots = [oneShot.marks.first ?? .nan] + oneShot.durations
        let decode = oneShot.total - (oneShot.marks.last ?? .nan)
        context.log("  one-shot: slots \(slots.map { BenchTiming.format($0, digits: 1) }) s (slot 0 includes the set-up), decode \(BenchTiming.format(decode, digits: 1)) s")

        // Live, 512 x 512, TAESDXL-sized tiny autoencoder.
        let tiny = try AutoencoderTiny(configuration: ReferenceConfigurations.tinyAutoencoder(), store: store)
        let streamModels = ModelComponents(promptEncoder: models.promptEncoder, denoiser: models.denoiser, autoencoder: .tiny(tiny),
                                           schedulerConfiguration: models.schedulerConfiguration)
        let frames = try streamFrameSeconds(models: streamModels, preset: preset, frames: context.repeats, log: context.log)
        let peak = BenchTiming.peakResidentKilobytes()
        let f = { (value: Double) in BenchTiming.format(value, digits: 1) }
        let line = """
        sdxl: full-size SDXL, Lightning: one-shot \(size)x\(size), 3 brushes + background, 4 slots: \
        \(slots.map(f).joined(separator: " / ")) s per slot (slot 0 with set-up), decode \(f(decode)) s, total \(f(oneShot.total)) s; \
        live \(preset.streamCanvas)x\(preset.streamCanvas), 5 slots, TAESDXL: \(f(BenchTiming.median(frames))) s/frame; \
        peak RSS \(builtResident / 1024) MiB built, \(peak / 1024) MiB at the end
        """
        return BenchReport(line: line, record: [
            "case": name, "threads": ComputeThreads.count, "blas": BLAS.implementation, "build_seconds": build,
            "one_shot_size": size, "one_shot_slot_seconds": slots, "one_shot_decode_seconds": decode, "one_shot_total_seconds": oneShot.total,
            "stream_size": preset.streamCanvas, "stream_seconds_per_frame": frames,
            "peak_rss_built_kib": builtResident, "peak_rss_kib": peak,
        ])
    }

    /// Seconds per live frame after one warm-up frame, on the preset's stream defaults.
    static func streamFrameSeconds(models: ModelComponents, preset: Preset, frames: Int, log: (String) -> Void) throws -> [Double] {
        let size = preset.streamCanvas
        let scene = RegionBenchScene(height: size, width: size, vocabularySize: models.promptEncoder.textEncoder.configuration.vocabularySize)
        var settings = StreamSettings(height: size, width: size)
        settings.schedule = preset.defaultStreamSchedule
        settings.scheduler = preset.scheduler(for: settings.schedule)
        settings.guidance = preset.guidance
        settings.guidanceRescale = preset.guidanceRescale
        settings.emptyPrompt = scene.emptyPrompt
        settings.whitePrompt = scene.emptyPrompt
        settings.captionPrompt = scene.emptyPrompt
        let brushes = scene.brushes.enumerated().map { index, brush in
            StreamBrush(id: "brush-\(index)", prompt: brush.prompt, mask: brush.mask, maskBlur: preset.streamMaskBlur)
        }
        let session = try StreamSession(models: models, settings: settings, background: scene.background, brushes: brushes)
        let box = StreamBenchCase.ResultBox()
        try blockingAsync {
            _ = try await session.nextFrame()
            for _ in 0..<frames { box.streamFrames.append(try await session.nextFrame().seconds) }
        }
        log("  live: \(box.streamFrames.map { BenchTiming.format($0, digits: 1) }) s/frame")
        return box.streamFrames
    }
}
