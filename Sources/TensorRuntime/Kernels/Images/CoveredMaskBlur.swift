/// Evaluates steps 2 and 3 of docs/ALGORITHM.md §2 — cover, then separable Gaussian blur with
/// replicate padding — for one brush at one image row and an evenly spaced set of columns.
///
/// The blur is separable and replicate padding clamps each coordinate independently, so the
/// value at (y, x) is sum_dx g(dx) * V(y, clamp(x + dx)) with the vertical pass
/// V(y, x) = sum_dy g(dy) * covered(clamp(y + dy), x). Evaluating only the rows and columns a
/// caller needs is what makes the latent-mask fast path cheap. Sums run in float64 and are
/// rounded to float32 once, so results do not depend on the evaluation order.
struct CoveredMaskBlur: Sendable {
    /// The masks at image size, `[H, W]` each.
    let masks: [Tensor]
    /// Where later brushes are non-zero.
    let coverMap: MaskCoverMap
    /// One kernel per brush.
    let kernels: [GaussianKernel]
    let height: Int
    let width: Int
    let coverFactor: Double

    init(masks: [Tensor], height: Int, width: Int, standardDeviations: [Double], coverFactor: Double) {
        self.masks = masks
        self.height = height
        self.width = width
        self.coverFactor = coverFactor
        coverMap = MaskCoverMap(masks: masks, height: height, width: width)
        kernels = standardDeviations.map { GaussianKernel(standardDeviation: $0) }
    }

    /// Scratch doubles a worker needs for ``evaluateRow(brush:row:columnStride:columnCount:scratch:output:)``.
    var scratchCount: Int { width + 2 * (kernels.map(\.radius).max() ?? 0) }

    /// Writes the covered, blurred mask of `brush` at image row `row` and columns
    /// `0, columnStride, 2*columnStride, ...` (`columnCount` of them) to `output[0..<columnCount]`.
    func evaluateRow(brush: Int, row: Int, columnStride: Int, columnCount: Int,
                     scratch: UnsafeMutablePointer<Double>, output: UnsafeMutablePointer<Float>) {
        let kernel = kernels[brush]
        let radius = kernel.radius
        let width = width
        let mask = masks[brush].pointer
        let cover = coverMap.lastNonZeroBrush.pointer
        let brushIndex = Float(brush)
        let coverFactor = coverFactor
        let line = scratch + radius
        line.initialize(repeating: 0, count: width)
        kernel.weights.withUnsafeBufferPointer { weights in
            // Vertical pass over the whole row (the horizontal pass may touch any column).
            for offset in -radius...radius {
                let sourceRow = min(max(row + offset, 0), height - 1) * width
                let weight = weights[offset + radius]
                let values = mask + sourceRow, later = cover + sourceRow
                for column in 0..<width {
                    let factor = later[column] > brushIndex ? coverFactor : 1.0
                    line[column] += weight * (Double(values[column]) * factor)
                }
            }
            // Replicate padding for the horizontal pass.
            if radius > 0 {
                scratch.initialize(repeating: line[0], count: radius)
                (line + width).initialize(repeating: line[width - 1], count: radius)
            }
            for index in 0..<columnCount {
                let start = scratch + index * columnStride
                var sum = 0.0
                for tap in 0..<weights.count { sum += weights[tap] * start[tap] }
                output[index] = Float(sum)
            }
        }
    }
}
