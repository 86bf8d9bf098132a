import DiffusionModels
import Foundation
import TensorRuntime

/// `bench --case panorama-decode`: the full-size SD1.5 VAE (random weights) decoding a
/// 512 x 4608 panorama's latent [1, 4, 64, 576] in one piece, as `RegionPipeline.panorama`
/// does; reports the time and the process's peak resident memory (run this case alone for a
/// meaningful peak). Convolutions bound their scratch memory and attention is tiled, so this
/// must fit in memory. No PyTorch counterpart.
enum PanoramaDecodeBenchCase: StandaloneBenchmark {
    static let name = "panorama-decode"
    static let summary = "full-size VAE decode of a 512x4608 panorama, [1,4,64,576] (time, peak RSS)"

    static func run(_ context: BenchContext) throws -> BenchReport {
        let vae = try AutoencoderKL(configuration: ReferenceConfigurations.stableDiffusion15Autoencoder(),
                                    store: ParameterStore(randomWeightsSeed: 0))
        var random = TorchGenerator(seed: 1)
        let latent = random.normal(shape: [1, 4, 64, 576])
        let before = BenchTiming.peakResidentKilobytes()
        context.log("  weights built; peak RSS so far \(before) KiB; decoding 512x4608")
        var shape: [Int] = []
        let seconds = try BenchTiming.seconds { shape = try vae.decode(latent).shape }
        let peak = BenchTiming.peakResidentKilobytes()
        let line = "panorama-decode: \(shape) in \(BenchTiming.format(seconds, digits: 1)) s, peak RSS \(peak) KiB (\(before) KiB before the decode)"
        return BenchReport(line: line, record: [
            "case": name, "threads": ComputeThreads.count, "seconds": seconds, "output_shape": shape,
            "peak_rss_kib": peak, "peak_rss_before_decode_kib": before,
        ])
    }
}
