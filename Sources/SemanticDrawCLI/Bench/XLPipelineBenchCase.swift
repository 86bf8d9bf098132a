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
        let store = ParameterStore(randomWeightsSeed: 0)
        let built = try FullSizePipelineBench.build("SDXL architecture", context: context) {
            let promptEncoder = PromptEncoder(
                tokenizer: nil, textEncoder: try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusion15TextEncoder(), store: store),
                second: PromptEncoder.SecondEncoder(
                    tokenizer: nil, textEncoder: try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusionXLTextEncoder2(), store: store,
                                                                    withProjection: true)))
            let unet = try UNet2DConditionModel(configuration: ReferenceConfigurations.stableDiffusionXLUNet(), store: store)
            let autoencoder = try AutoencoderKL(configuration: ReferenceConfigurations.stableDiffusionXLAutoencoder(), store: store)
            return ModelComponents(promptEncoder: promptEncoder, denoiser: unet, autoencoder: .kl(autoencoder),
                                   schedulerConfiguration: try SchedulerConfiguration(data: TinyRandomXLModel.schedulerConfigurationJSON,
                                                                                      file: "(SDXL base scheduler_config.json)"))
        }
        let models = built.models

        // One-shot, 1024 x 1024, 4 Lightning steps.
        let oneShot = try FullSizePipelineBench.oneShot(models: models, preset: preset)
        context.log("  \(oneShot.summary)")

        // Live, 512 x 512, TAESDXL-sized tiny autoencoder.
        let tiny = try AutoencoderTiny(configuration: ReferenceConfigurations.tinyAutoencoder(), store: store)
        let streamModels = ModelComponents(promptEncoder: models.promptEncoder, denoiser: models.denoiser, autoencoder: .tiny(tiny),
                                           schedulerConfiguration: models.schedulerConfiguration)
        let frames = try streamFrameSeconds(models: streamModels, preset: preset, frames: context.repeats, log: context.log)
        let peak = BenchTiming.peakResidentKilobytes()
        let line = "sdxl: full-size SDXL, Lightning: \(oneShot.summary); "
            + "live \(preset.streamCanvas)x\(preset.streamCanvas), 5 slots, TAESDXL: \(FullSizePipelineBench.format(BenchTiming.median(frames))) s/frame; "
            + "peak RSS \(built.residentKilobytes / 1024) MiB built, \(peak / 1024) MiB at the end"
        var record = FullSizePipelineBench.record(name: name, built: built, oneShot: oneShot, peakKilobytes: peak)
        record["stream_size"] = preset.streamCanvas
        record["stream_seconds_per_frame"] = frames
        return BenchReport(line: line, record: record)
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
