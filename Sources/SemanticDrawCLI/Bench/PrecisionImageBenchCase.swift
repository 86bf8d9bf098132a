import DiffusionModels
import Foundation
import ImageCodecs
import SemanticDraw
import TensorRuntime

/// `bench --case precision-image`: what `generate --precision bf16` does to an image, on the
/// full-size SD1.5 architecture (random weights, the same values at both precisions: bf16
/// rounds them). The one-shot region scene of `bench --case region` at the SD1.5 preset's
/// 512 x 512 canvas (3 brushes over a background prompt, LCM's default slots, full VAE, seed 0)
/// runs once at fp32 and once at bf16; reported: the PSNR of the 8-bit bf16 image against the
/// fp32 one (the figure `generate` users see), the largest sample difference, the final latents'
/// relative error max|a - b| / max|b|, the fp32 image's spread (a flat image would make any
/// PSNR look good) and each run's time. No PyTorch counterpart; `--repeats` is not used.
enum PrecisionImageBenchCase: StandaloneBenchmark {
    static let name = "precision-image"
    static let summary = "generate --precision bf16 vs fp32 on the full-size SD1.5 architecture (random weights): 512x512, 3 brushes, LCM; PSNR, latent error, times"

    /// One generation's outcome.
    struct Run {
        let image: Image
        let latent: [Float]
        let seconds: Double
    }

    static func run(_ context: BenchContext) throws -> BenchReport {
        let preset = try Preset.preset(.stableDiffusion1, accelerator: .lcm)
        let size = preset.oneShotCanvas
        let float32 = try generate(precision: .fp32, size: size, preset: preset, log: context.log)
        let bf16 = try generate(precision: .bf16, size: size, preset: preset, log: context.log)

        let psnr = try bf16.image.peakSignalToNoiseRatio(against: float32.image)
        let largestDifference = zip(bf16.image.pixels, float32.image.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        let latentScale = float32.latent.map(abs).max() ?? 0
        let latentError = zip(bf16.latent, float32.latent).map { abs($0 - $1) }.max() ?? 0
        let relativeLatentError = latentScale > 0 ? Double(latentError / latentScale) : .nan
        let samples = float32.image.pixels.map(Double.init)
        let mean = samples.reduce(0, +) / Double(samples.count)
        let spread = (samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count)).squareRoot()
        let saturated = Double(float32.image.pixels.filter { $0 == 0 || $0 == 255 }.count) / Double(samples.count)

        let line = "precision-image: full-size SD1.5 \(size)x\(size), 3 brushes + background, LCM \(preset.defaultSchedule), seed 0: "
            + "bf16 vs fp32 PSNR \(BenchTiming.format(psnr, digits: 1)) dB, largest sample difference \(largestDifference)/255, "
            + "latent relative error \(String(format: "%.2e", relativeLatentError)); fp32 image mean \(BenchTiming.format(mean, digits: 1)), "
            + "std \(BenchTiming.format(spread, digits: 1)), \(BenchTiming.format(100 * saturated, digits: 1))% saturated; "
            + "fp32 \(BenchTiming.format(float32.seconds, digits: 1)) s, bf16 \(BenchTiming.format(bf16.seconds, digits: 1)) s"
        return BenchReport(line: line, record: [
            "case": name, "threads": ComputeThreads.count, "blas": BLAS.implementation, "size": size,
            "bf16_kernel": BFloat16GEMM.path.rawValue, "psnr_db": psnr, "largest_sample_difference": largestDifference,
            "latent_relative_error": relativeLatentError, "fp32_image_mean": mean, "fp32_image_std": spread,
            "fp32_image_saturated_fraction": saturated, "fp32_seconds": float32.seconds, "bf16_seconds": bf16.seconds,
        ])
    }

    /// Builds the networks at `precision` and generates the scene once (networks released after).
    static func generate(precision: Precision, size: Int, preset: Preset, log: (String) -> Void) throws -> Run {
        log("  building the full-size SD1.5 architecture at \(precision.rawValue) (random weights)")
        let pipeline = try RegionBenchScene.fullSizePipeline(precision: precision)
        let scene = RegionBenchScene(height: size, width: size, vocabularySize: pipeline.components.promptEncoder.textEncoder.configuration.vocabularySize)
        var settings = scene.settings(.semanticDraw)
        settings.apply(preset)
        var noise = TorchGenerator(seed: 0)
        var output: RegionGenerationOutput?
        let seconds = try BenchTiming.seconds {
            output = try pipeline.generate(brushes: scene.brushes, background: scene.background, settings: settings, noise: &noise) { step, count in
                log("    \(precision.rawValue): slot \(step)/\(count)")
            }
        }
        guard let output else { throw CommandFailure("the \(precision.rawValue) generation returned nothing") }
        log("  \(precision.rawValue): \(BenchTiming.format(seconds, digits: 1)) s")
        return Run(image: try Image(tensor: output.image, range: .unit), latent: output.latent.scalars, seconds: seconds)
    }
}
