/// Image and mask operations of the SemanticDraw pipelines, dispatched to the tensor's backend.
extension Tensor {
    /// Covered, Gaussian-blurred masks (docs/ALGORITHM.md §2 steps 2-3): `masks` are P `[H, W]`
    /// masks; brush p is multiplied by `coverFactor` wherever a later brush is > 0, then blurred
    /// with a normalised Gaussian of `standardDeviations[p]` pixels (side 2*ceil(3*std)+1,
    /// replicate padding; std <= 0: no blur). Only rows and columns `0, stride, 2*stride, ...`
    /// are evaluated: the result is `[P, ceil(H/stride), ceil(W/stride)]` (`stride` 1: full
    /// resolution). Sums run in float64 and are rounded once, so sampled values equal the
    /// full-resolution ones exactly.
    public static func coveredBlurredMasks(_ masks: [Tensor], standardDeviations: [Double], coverFactor: Double,
                                           sampleStride: Int = 1) -> Tensor {
        precondition(!masks.isEmpty && masks.allSatisfy { $0.rank == 2 && $0.shape == masks[0].shape })
        precondition(standardDeviations.count == masks.count && sampleStride > 0)
        return masks[0].backend.coveredBlurredMasks(masks, standardDeviations: standardDeviations, coverFactor: coverFactor,
                                                    sampleStride: sampleStride)
    }

    /// Per-level masks of sampled values `[P, h, w]`: each value times `alphas[p]`, then
    /// quantised against `levels` b_0 > ... > b_{T-1} (``LevelQuantization``), in float32.
    /// Returns `[P, T, 1, h, w]`.
    public func quantized(againstLevels levels: [Float], alphas: [Float], mode: LevelQuantization) -> Tensor {
        precondition(rank == 3 && alphas.count == shape[0] && !levels.isEmpty)
        return backend.quantized(self, againstLevels: levels, alphas: alphas, mode: mode)
    }

    /// A `[H', W']` mask resized to `[height, width]` with PyTorch's bilinear rule
    /// (`interpolate(mode="bilinear", align_corners=False)`, CPU float32); the tensor itself
    /// when it already has that size.
    public func resizedBilinear(height: Int, width: Int) -> Tensor {
        precondition(rank == 2)
        return backend.resizedBilinear(self, height: height, width: width)
    }

    /// A `[C, H, W]` image resized with PyTorch's `interpolate(mode="bicubic", align_corners=False)`
    /// (cubic convolution, A = -0.75, edge indices clamped; a copy when the size already matches).
    public func resizedBicubic(height: Int, width: Int) -> Tensor {
        precondition(rank == 3)
        return backend.resizedBicubic(self, height: height, width: width)
    }
}
