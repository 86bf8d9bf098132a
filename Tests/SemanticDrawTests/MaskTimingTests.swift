import Foundation
import SemanticDraw
import TensorRuntime
import Testing

/// Timing of the mask fast path at the live stream's size (printed, never asserted). Enabled
/// only with SEMANTIC_DRAW_MASK_TIMING set; meaningful only in a release build:
/// `SEMANTIC_DRAW_MASK_TIMING=1 swift test -c release --filter MaskTiming` (see docs/MASKS.md).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SEMANTIC_DRAW_MASK_TIMING"] != nil))
struct MaskTimingTests {
    static func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }

    @Test func streamSizedMasks() throws {
        let height = 512, width = 512, brushCount = 5
        // A full-canvas background brush first, then four overlapping anti-aliased discs.
        let masks = (0..<brushCount).map { brush -> Tensor in
            let mask = Tensor(uninitializedShape: [height, width])
            let centreY = Double(100 + 80 * brush), centreX = Double(400 - 70 * brush), radius = 90.0
            for row in 0..<height {
                for column in 0..<width {
                    let distance = ((Double(row) + 0.5 - centreY) * (Double(row) + 0.5 - centreY)
                        + (Double(column) + 0.5 - centreX) * (Double(column) + 0.5 - centreX)).squareRoot()
                    mask.pointer[row * width + column] = brush == 0 ? 1 : Float(min(max(radius - distance + 0.5, 0), 1))
                }
            }
            return mask
        }
        let noiseLevels: [Float] = [0.99767, 0.99419, 0.97354, 0.84990, 0.58397]
        let options = MaskProcessingOptions.stream(brushCount: brushCount)
        for _ in 0..<3 {
            _ = try MaskProcessor.latentMasks(masks: masks, height: height, width: width, noiseLevels: noiseLevels, options: options)
        }
        let latent = try Self.median(20) {
            _ = try MaskProcessor.latentMasks(masks: masks, height: height, width: width, noiseLevels: noiseLevels, options: options)
        }
        let full = try Self.median(20) {
            _ = try MaskProcessor.blurredMasks(masks: masks, height: height, width: width, options: options)
        }
        print(String(format: "mask timing 512x512, 5 brushes, std 8, 5 slots, %d threads: latentMasks median %.3f ms, blurredMasks median %.3f ms (20 runs)",
                     ComputeThreads.count, latent, full))
    }
}
