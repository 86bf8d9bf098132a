/// How sampled mask values become one mask per noise level (SemanticDraw's quantisation,
/// docs/ALGORITHM.md §2 step 5), with levels b_0 > b_1 > ... > b_{T-1} and b_T = 0.
public enum LevelQuantization: String, Sendable, CaseIterable {
    /// m_i = 1 where m > b_i (strictly), else 0.
    case step
    /// m_i = clamp((m - b_{i+1}) / (b_i - b_{i+1}), 0, 1).
    case ramp
}

extension Tensor {
    /// Covered, Gaussian-blurred masks (CPU kernel; docs/ALGORITHM.md §2 steps 2-3).
    ///
    /// `masks` are P `[H, W]` masks; brush p is multiplied by `coverFactor` wherever a later
    /// brush is > 0, then blurred with a normalised Gaussian of `standardDeviations[p]` pixels
    /// (side 2*ceil(3*std)+1, replicate padding; std <= 0: no blur). Only rows and columns
    /// `0, stride, 2*stride, ...` are evaluated: the result is `[P, H/stride, W/stride]`
    /// (`stride` 1: full resolution). Sums run in float64, rounded once, so the sampled values
    /// equal the full-resolution ones exactly.
    static func cpuCoveredBlurredMasks(_ masks: [Tensor], standardDeviations: [Double], coverFactor: Double,
                                           sampleStride stride: Int = 1) -> Tensor {
        precondition(!masks.isEmpty && masks.allSatisfy { $0.shape == masks[0].shape && $0.rank == 2 })
        precondition(standardDeviations.count == masks.count && stride > 0)
        let height = masks[0].shape[0], width = masks[0].shape[1]
        let rows = (height + stride - 1) / stride, columns = (width + stride - 1) / stride
        let blur = CoveredMaskBlur(masks: masks, height: height, width: width, standardDeviations: standardDeviations,
                                   coverFactor: coverFactor)
        let result = Tensor(uninitializedShape: [masks.count, rows, columns])
        let output = UncheckedSendable(result.pointer)
        let scratchCount = blur.scratchCount
        parallelTasks(masks.count * rows) { _, items in
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: scratchCount)
            defer { scratch.deallocate() }
            for item in items {
                let brush = item / rows, row = item % rows
                blur.evaluateRow(brush: brush, row: row * stride, columnStride: stride, columnCount: columns,
                                 scratch: scratch, output: output.value + item * columns)
            }
        }
        return result
    }

    /// Per-level masks of sampled values `[P, h, w]`: each value times `alphas[p]`, then
    /// quantised against `levels` (float32, PyTorch's operation order). Returns `[P, T, 1, h, w]`.
    func cpuQuantized(againstLevels levels: [Float], alphas: [Float], mode: LevelQuantization) -> Tensor {
        precondition(rank == 3 && alphas.count == shape[0] && !levels.isEmpty)
        let brushes = shape[0], plane = shape[1] * shape[2], slotCount = levels.count
        let result = Tensor(uninitializedShape: [brushes, slotCount, 1, shape[1], shape[2]])
        let source = UncheckedSendable(pointer), output = UncheckedSendable(result.pointer)
        parallelFor(brushes) { brush in
            let alpha = alphas[brush]
            for index in 0..<plane {
                let value = source.value[brush * plane + index] * alpha
                for slot in 0..<slotCount {
                    let level = levels[slot], quantized: Float
                    switch mode {
                    case .step:
                        quantized = value > level ? 1 : 0
                    case .ramp:
                        let next: Float = slot + 1 < slotCount ? levels[slot + 1] : 0
                        quantized = Swift.min(Swift.max((value - next) / (level - next), 0), 1)
                    }
                    output.value[(brush * slotCount + slot) * plane + index] = quantized
                }
            }
        }
        return result
    }

    /// Every `stride`-th row and column of the last two dimensions, from the first.
    func cpuSubsampled(stride: Int) -> Tensor {
        precondition(rank >= 2 && stride > 0)
        let height = shape[rank - 2], width = shape[rank - 1]
        let rows = (height + stride - 1) / stride, columns = (width + stride - 1) / stride
        let planes = count / (height * width)
        let result = Tensor(uninitializedShape: Array(shape.dropLast(2)) + [rows, columns])
        for plane in 0..<planes {
            for row in 0..<rows {
                let source = pointer + (plane * height + row * stride) * width
                let target = result.pointer + (plane * rows + row) * columns
                for column in 0..<columns { target[column] = source[column * stride] }
            }
        }
        return result
    }

    /// A `[H', W']` mask resized to `[height, width]` with PyTorch's bilinear rule
    /// (`interpolate(mode="bilinear", align_corners=False)`, CPU float32); the tensor itself
    /// when it already has that size.
    func cpuResizedBilinear(height: Int, width: Int) -> Tensor {
        precondition(rank == 2)
        return BilinearMaskResize.resize(self, height: height, width: width)
    }

    /// A `[C, H, W]` image resized with PyTorch's `interpolate(mode="bicubic",
    /// align_corners=False)` (a copy when the size already matches).
    func cpuResizedBicubic(height: Int, width: Int) -> Tensor {
        precondition(rank == 3)
        return BicubicResize.resize(self, height: height, width: width)
    }
}
