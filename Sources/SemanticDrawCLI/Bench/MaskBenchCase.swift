import Foundation
import SemanticDraw
import TensorRuntime

/// `bench --case masks`: the mask fast path at the live stream's size (docs/ALGORITHM.md §2,
/// docs/MASKS.md): a 512 x 512 canvas, 5 brushes (a full-canvas background brush, then four
/// overlapping anti-aliased discs), blur std 8 px, continuous quantisation against the 5
/// default slot noise levels. Reports the median of max(20, --repeats) runs after 3 warm-ups
/// of `latentMasks` (every brush stroke) and of `blurredMasks` (full resolution, for the
/// pixel blend only). No PyTorch counterpart.
enum MaskBenchCase: StandaloneBenchmark {
    static let name = "masks"
    static let summary = "mask processing, 512x512, 5 brushes, blur std 8, 5 slots (median of repeated runs)"

    /// The canvas: brush 0 covers everything; brushes 1-4 are discs of radius 90 px.
    static func canvas(height: Int = 512, width: Int = 512, brushCount: Int = 5) -> [Tensor] {
        (0..<brushCount).map { brush -> Tensor in
            let centreY = Double(100 + 80 * brush), centreX = Double(400 - 70 * brush), radius = 90.0
            return Tensor(shape: [height, width]) { mask in
                for row in 0..<height {
                    for column in 0..<width {
                        let distance = ((Double(row) + 0.5 - centreY) * (Double(row) + 0.5 - centreY)
                            + (Double(column) + 0.5 - centreX) * (Double(column) + 0.5 - centreX)).squareRoot()
                        mask[row * width + column] = brush == 0 ? 1 : Float(min(max(radius - distance + 0.5, 0), 1))
                    }
                }
            }
        }
    }

    static func run(_ context: BenchContext) throws -> BenchReport {
        let height = 512, width = 512, brushCount = 5
        let masks = canvas(height: height, width: width, brushCount: brushCount)
        // b_t of the default slots [0, 4, 12, 25, 37] (docs/ALGORITHM.md §1).
        let noiseLevels: [Float] = [0.99767, 0.99419, 0.97354, 0.84990, 0.58397]
        let options = MaskProcessingOptions.stream(brushCount: brushCount)
        let runs = max(20, context.repeats)
        func latent() throws {
            _ = try MaskProcessor.latentMasks(masks: masks, height: height, width: width, noiseLevels: noiseLevels, options: options)
        }
        func full() throws {
            _ = try MaskProcessor.blurredMasks(masks: masks, height: height, width: width, options: options)
        }
        for _ in 0..<3 { try latent(); try full() }
        var latentTimes: [Double] = [], fullTimes: [Double] = []
        for _ in 0..<runs {
            latentTimes.append(try BenchTiming.seconds(latent))
            fullTimes.append(try BenchTiming.seconds(full))
        }
        let latentMedian = BenchTiming.median(latentTimes) * 1000, fullMedian = BenchTiming.median(fullTimes) * 1000
        let line = String(format: "masks: latentMasks median %.3f ms, blurredMasks median %.3f ms (512x512, 5 brushes, std 8, 5 slots, %d runs, %d threads)",
                          latentMedian, fullMedian, runs, ComputeThreads.count)
        return BenchReport(line: line, record: [
            "case": name, "threads": ComputeThreads.count, "runs": runs,
            "latent_masks_ms": latentTimes.map { $0 * 1000 }, "latent_masks_median_ms": latentMedian,
            "blurred_masks_ms": fullTimes.map { $0 * 1000 }, "blurred_masks_median_ms": fullMedian,
        ])
    }
}
