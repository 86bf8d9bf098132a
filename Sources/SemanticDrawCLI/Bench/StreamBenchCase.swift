import DiffusionModels
import Foundation
import SemanticDraw
import TensorRuntime

/// `bench --case stream`: the live stream (docs/ALGORITHM.md §5) against calling the one-shot
/// pipeline once per frame, same canvas (512 x 512), brushes (3, over a background prompt) and
/// slots (5), TAESD decoding both; plus stroke-to-frame latency. No PyTorch counterpart.
///
/// - tiny-random: `--repeats` x 4 stream frames after the pipe filled (T frames), and as many
///   one-shot images; the ratio of seconds per image. Latency: a mask update is queued, then
///   frames run until one reports `reflectsLatestPalette` (every in-flight slot saw the new
///   mask: T - 1 frames by construction); the first frame after the update already uses the
///   new mask for every slot it denoises.
/// - The full-size SD1.5 architecture (random weights, full-size TAESD): 2 stream frames after
///   one warm-up frame, and one one-shot image: seconds per frame, which is what the web app
///   shows on this CPU.
enum StreamBenchCase: StandaloneBenchmark {
    static let name = "stream"
    static let summary = "live stream frame time vs one-shot per frame at 512x512, 3 brushes, 5 slots, TAESD; stroke-to-frame latency (tiny whole + full-size)"

    static func run(_ context: BenchContext) throws -> BenchReport {
        let size = 512
        let tiny = try TinyRandomModel()
        let tinyModels = StreamModels(textEncoder: tiny.textEncoder, tokenizer: nil, unet: tiny.unet,
                                      autoencoder: .tiny(tiny.tinyAutoencoder), schedulerConfiguration: try RegionBenchScene.schedulerConfiguration())
        let tinyResult = try measure(models: tinyModels, size: size, streamFrames: 4 * context.repeats, oneShotImages: context.repeats,
                                     latency: true, log: context.log)
        context.log("  building the full-size SD1.5 architecture (random weights, \(context.precision.rawValue)) with full-size TAESD")
        let store = ParameterStore(randomWeightsSeed: 0)
        store.precision = context.precision
        let fullModels = StreamModels(
            textEncoder: try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusion15TextEncoder(), store: store),
            tokenizer: nil, unet: try UNet2DConditionModel(configuration: ReferenceConfigurations.stableDiffusion15UNet(), store: store),
            autoencoder: .tiny(try AutoencoderTiny(configuration: ReferenceConfigurations.tinyAutoencoder(), store: store)),
            schedulerConfiguration: try RegionBenchScene.schedulerConfiguration())
        let fullResult = try measure(models: fullModels, size: size, streamFrames: 2, oneShotImages: 1, latency: false, log: context.log)
        let f = { (value: Double) in BenchTiming.format(value, digits: 3) }
        let line = """
        stream: full-size SD1.5 512x512 (\(context.precision.rawValue)), 3 brushes + background, 5 slots, TAESD: stream \(f(fullResult.streamFrame)) s/frame, \
        one-shot \(f(fullResult.oneShot)) s/image, x\(BenchTiming.format(fullResult.oneShot / fullResult.streamFrame, digits: 2)); \
        tiny-random: stream \(f(tinyResult.streamFrame)) s/frame, one-shot \(f(tinyResult.oneShot)) s/image, \
        x\(BenchTiming.format(tinyResult.oneShot / tinyResult.streamFrame, digits: 2)); stroke-to-frame (tiny): next frame \
        \(f(tinyResult.nextFrameLatency)) s, fully reflected after \(tinyResult.framesToReflect) frames \(f(tinyResult.reflectLatency)) s
        """
        return BenchReport(line: line, record: [
            "case": name, "threads": ComputeThreads.count, "blas": BLAS.implementation, "size": size,
            "precision": context.precision.rawValue,
            "full_stream_seconds_per_frame": fullResult.streamFrame, "full_one_shot_seconds": fullResult.oneShot,
            "tiny_stream_seconds_per_frame": tinyResult.streamFrame, "tiny_one_shot_seconds": tinyResult.oneShot,
            "tiny_next_frame_latency": tinyResult.nextFrameLatency, "tiny_reflect_latency": tinyResult.reflectLatency,
            "tiny_frames_to_reflect": tinyResult.framesToReflect,
        ])
    }

    struct Result {
        var streamFrame: Double
        var oneShot: Double
        var nextFrameLatency = Double.nan
        var reflectLatency = Double.nan
        var framesToReflect = 0
    }

    static func measure(models: StreamModels, size: Int, streamFrames: Int, oneShotImages: Int, latency: Bool,
                        log: (String) -> Void) throws -> Result {
        let scene = RegionBenchScene(height: size, width: size, vocabularySize: models.promptEncoder.textEncoder.configuration.vocabularySize)
        var settings = StreamSettings(height: size, width: size)
        settings.emptyPrompt = scene.emptyPrompt
        settings.whitePrompt = scene.emptyPrompt
        settings.captionPrompt = scene.emptyPrompt
        let brushes = scene.brushes.enumerated().map { index, brush in
            StreamBrush(id: "brush-\(index)", prompt: brush.prompt, mask: brush.mask, maskBlur: 8)
        }
        let session = try StreamSession(models: models, settings: settings, background: scene.background, brushes: brushes)
        let slots = session.slotCount
        // The first frames fill the pipe (T of them with tiny-random; one at full size, which is slow).
        let warmUp = latency ? slots : 1
        let mask = scene.brushes[0].mask
        let maskValues = mask.scalars
        let shifted = Tensor(shape: mask.shape, values: (0..<mask.count).map { maskValues[($0 + 37 * size) % mask.count] })
        let box = ResultBox()
        try blockingAsync {
            for _ in 0..<warmUp { _ = try await session.nextFrame() }
            for _ in 0..<streamFrames { box.streamFrames.append(try await session.nextFrame().seconds) }
            guard latency else { return }
            // A stroke: the first brush's mask moves 37 rows down.
            let start = DispatchTime.now().uptimeNanoseconds
            session.enqueue(.mask(id: "brush-0", shifted))
            var frames = 0
            while true {
                let frame = try await session.nextFrame()
                frames += 1
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if frames == 1 { box.nextFrameLatency = elapsed }
                if frame.reflectsLatestPalette || frames > slots + 1 {
                    box.reflectLatency = elapsed
                    box.framesToReflect = frames
                    return
                }
            }
        }
        log("  stream: \(box.streamFrames.map { BenchTiming.format($0) }) s/frame")
        let pipeline = RegionPipeline(components: models)
        var oneShotSettings = scene.settings(.semanticDraw)
        oneShotSettings.quantization = settings.quantization
        var oneShot: [Double] = []
        for seed in 0..<oneShotImages {
            var noise = TorchGenerator(seed: UInt64(seed))
            oneShot.append(try BenchTiming.seconds {
                _ = try pipeline.generate(brushes: scene.brushes.map { var brush = $0; brush.maskBlur = 8; return brush },
                                          background: scene.background, settings: oneShotSettings, noise: &noise)
            })
        }
        log("  one-shot: \(oneShot.map { BenchTiming.format($0) }) s/image")
        return Result(streamFrame: BenchTiming.median(box.streamFrames), oneShot: BenchTiming.median(oneShot), nextFrameLatency: box.nextFrameLatency,
                      reflectLatency: box.reflectLatency, framesToReflect: box.framesToReflect)
    }

    final class ResultBox: @unchecked Sendable {
        var streamFrames: [Double] = []
        var nextFrameLatency = Double.nan
        var reflectLatency = Double.nan
        var framesToReflect = 0
    }
}

/// Runs an async body to completion from synchronous code (the bench command is synchronous).
func blockingAsync(_ body: @escaping @Sendable () async throws -> Void) throws {
    let semaphore = DispatchSemaphore(value: 0)
    let failure = FailureBox()
    Task {
        do { try await body() } catch { failure.error = error }
        semaphore.signal()
    }
    semaphore.wait()
    if let error = failure.error { throw error }
}

final class FailureBox: @unchecked Sendable { var error: (any Error)? }
