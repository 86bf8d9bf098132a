/// The host backend: Swift SIMD loops, the C kernels (CKernels) and the platform BLAS, over
/// float32 host memory. The kernels live in `Kernels/` as internal `cpu...` methods on
/// ``Tensor``; this type is their one entry point.
public struct CPUBackend: TensorBackend {
    /// The one instance.
    public static let shared = CPUBackend()
    public var device: Device { .cpu }

    /// Every operand of a CPU kernel must be a float32 host tensor.
    @inline(__always)
    private func check(_ tensors: Tensor...) {
        for tensor in tensors {
            precondition(tensor.device == .cpu && tensor.dtype == .float32,
                         "the CPU backend computes on float32 host tensors, got \(tensor)")
        }
    }

    /// A weight operand of a linear layer or convolution may also be half precision.
    @inline(__always)
    private func checkWeight(_ weight: Tensor) {
        precondition(weight.device == .cpu, "the CPU backend computes on host tensors, got \(weight)")
    }

    public func copy(_ tensor: Tensor) -> Tensor { check(tensor); return tensor.cpuCopy() }
    public func slice(_ tensor: Tensor, outer start: Int, length: Int) -> Tensor {
        check(tensor); return tensor.cpuSlice(outer: start, length: length)
    }
    public func concatenateOuter(_ parts: [Tensor]) -> Tensor { parts.forEach { check($0) }; return Tensor.cpuConcatenateOuter(parts) }
    public func concatenateChannels(_ parts: [Tensor]) -> Tensor { parts.forEach { check($0) }; return Tensor.cpuConcatenateChannels(parts) }
    public func channelsLast(_ tensor: Tensor) -> Tensor { check(tensor); return tensor.cpuChannelsLast() }
    public func channelsFirst(_ tensor: Tensor, height: Int, width: Int) -> Tensor {
        check(tensor); return tensor.cpuChannelsFirst(height: height, width: width)
    }
    public func upsampleNearest(_ tensor: Tensor, factor: Int) -> Tensor { check(tensor); return tensor.cpuUpsampleNearest(factor: factor) }
    public func resizedNearest(_ tensor: Tensor, height: Int, width: Int) -> Tensor {
        check(tensor); return tensor.cpuResizedNearest(height: height, width: width)
    }
    public func gatherRows(_ tensor: Tensor, _ indices: [Int]) -> Tensor { check(tensor); return tensor.cpuGatherRows(indices) }
    public func cropped(_ tensor: Tensor, to region: SpatialRegion) -> Tensor { check(tensor); return tensor.cpuCropped(to: region) }
    public func addingPatch(_ tensor: Tensor, _ patch: Tensor, at region: SpatialRegion) -> Tensor {
        check(tensor, patch); return tensor.cpuAddingPatch(patch, at: region)
    }
    public func rolled(_ tensor: Tensor, shifts: [(rows: Int, columns: Int)]) -> Tensor { check(tensor); return tensor.cpuRolled(shifts: shifts) }
    public func selecting(_ tensor: Tensor, index: Int, alongDimension dimension: Int) -> Tensor {
        check(tensor); return tensor.cpuSelecting(index: index, alongDimension: dimension)
    }
    public func expanded(_ tensor: Tensor, to shape: [Int]) -> Tensor { check(tensor); return tensor.cpuExpanded(to: shape) }
    public func subsampled(_ tensor: Tensor, stride: Int) -> Tensor { check(tensor); return tensor.cpuSubsampled(stride: stride) }
    public func unpatchified(_ tensor: Tensor, height: Int, width: Int, patchSize: Int) -> Tensor {
        check(tensor); return tensor.cpuUnpatchified(height: height, width: width, patchSize: patchSize)
    }

    public func binary(_ operation: ElementwiseOperation, _ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        check(lhs, rhs); return lhs.cpuBinary(operation, rhs)
    }
    public func scaled(_ tensor: Tensor, by scalar: Float) -> Tensor { check(tensor); return tensor.cpuScaled(by: scalar) }
    public func divided(_ tensor: Tensor, by scalar: Float) -> Tensor { check(tensor); return tensor.cpuDivided(by: scalar) }
    public func affine(_ tensor: Tensor, scale: Float, shift: Float) -> Tensor {
        check(tensor); return tensor.cpuAffine(scale: scale, shift: shift)
    }
    public func unary(_ function: UnaryFunction, _ tensor: Tensor) -> Tensor { check(tensor); return tensor.cpuUnary(function) }
    public func clamped(_ tensor: Tensor, lower: Float, upper: Float) -> Tensor {
        check(tensor); return tensor.cpuClamped(lower: lower, upper: upper)
    }
    public func lerp(_ start: Tensor, _ end: Tensor, weight: Float) -> Tensor {
        check(start, end); return Tensor.cpuLerp(start, end, weight: weight)
    }
    public func addInPlace(_ target: Tensor, _ addend: Tensor) { check(target, addend); target.cpuAddInPlace(addend) }
    public func addingPerChannel(_ tensor: Tensor, _ values: Tensor) -> Tensor {
        check(tensor, values); return tensor.cpuAddingPerChannel(values)
    }
    public func addChannelBiasInPlace(_ tensor: Tensor, _ bias: Tensor) { check(tensor, bias); tensor.cpuAddChannelBiasInPlace(bias) }
    public func addingGated(_ tensor: Tensor, _ value: Tensor, gate: Tensor) -> Tensor {
        check(tensor, value, gate); return tensor.cpuAddingGated(value, gate: gate)
    }
    public func activated(_ tensor: Tensor, _ activation: Activation) -> Tensor { check(tensor); return tensor.cpuActivated(activation) }
    public func geglu(_ tensor: Tensor) -> Tensor { check(tensor); return tensor.cpuGEGLU() }
    public func softmax(_ tensor: Tensor) -> Tensor { check(tensor); return tensor.cpuSoftmax() }

    public func summed(_ tensor: Tensor, alongDimension dimension: Int) -> Tensor {
        check(tensor); return tensor.cpuSummed(alongDimension: dimension)
    }
    public func sampleStandardDeviations(_ tensor: Tensor, unbiased: Bool) -> Tensor {
        check(tensor); return tensor.cpuSampleStandardDeviations(unbiased: unbiased)
    }
    public func positiveBoundingBoxes(_ tensor: Tensor) -> [PositiveBoundingBox?] { check(tensor); return tensor.cpuPositiveBoundingBoxes() }
    public func firstValue(_ tensor: Tensor, outside range: ClosedRange<Float>) -> Float? {
        check(tensor); return tensor.cpuFirstValue(outside: range)
    }

    public func linear(_ tensor: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        check(tensor)
        checkWeight(weight)
        if let bias { check(bias) }
        return tensor.cpuLinear(weight: weight, bias: bias)
    }
    public func matmul(_ lhs: Tensor, _ rhs: Tensor) -> Tensor { check(lhs, rhs); return lhs.cpuMatmul(rhs) }
    public func addMatrixProductInPlace(_ target: Tensor, _ lhs: Tensor, _ rhs: Tensor, scale: Float) {
        check(target, lhs, rhs)
        let m = lhs.shape[0], k = lhs.shape[1], n = rhs.shape[1]
        BLAS.sgemm(m: m, n: n, k: k, alpha: scale, a: lhs.pointer, lda: k, b: rhs.pointer, ldb: n, beta: 1, c: target.pointer, ldc: n)
    }
    public func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int, causal: Bool, scoreTileLimit: Int) -> Tensor {
        check(query, key, value)
        return Tensor.cpuAttention(query: query, key: key, value: value, heads: heads, causal: causal, scoreTileLimit: scoreTileLimit)
    }
    public func jointAttention(queries: [Tensor], keys: [Tensor], values: [Tensor], heads: Int) -> [Tensor] {
        (queries + keys + values).forEach { check($0) }
        return Tensor.cpuJointAttention(queries: queries, keys: keys, values: values, heads: heads)
    }
    public func conv2d(_ tensor: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Padding2D,
                       algorithm: ConvolutionAlgorithm) -> Tensor {
        check(tensor)
        checkWeight(weight)
        if let bias { check(bias) }
        return tensor.cpuConv2d(weight: weight, bias: bias, stride: stride, padding: padding, algorithm: algorithm)
    }
    public func groupNorm(_ tensor: Tensor, groups: Int, weight: Tensor, bias: Tensor, epsilon: Float, fusedSiLU: Bool) -> Tensor {
        check(tensor, weight, bias)
        return tensor.cpuGroupNorm(groups: groups, weight: weight, bias: bias, epsilon: epsilon, fusedSiLU: fusedSiLU)
    }
    public func layerNorm(_ tensor: Tensor, weight: Tensor, bias: Tensor, epsilon: Float) -> Tensor {
        check(tensor, weight, bias); return tensor.cpuLayerNorm(weight: weight, bias: bias, epsilon: epsilon)
    }
    public func modulatedLayerNorm(_ tensor: Tensor, scale: Tensor, shift: Tensor, epsilon: Float) -> Tensor {
        check(tensor, scale, shift); return tensor.cpuModulatedLayerNorm(scale: scale, shift: shift, epsilon: epsilon)
    }
    public func rmsNorm(_ tensor: Tensor, weight: Tensor?, epsilon: Float) -> Tensor {
        check(tensor)
        if let weight { check(weight) }
        return tensor.cpuRMSNorm(weight: weight, epsilon: epsilon)
    }

    public func timestepEmbedding(timesteps: [Float], dimension: Int, flipSinToCos: Bool, downscaleFrequencyShift: Float,
                                  maxPeriod: Float) -> Tensor {
        Tensor.cpuTimestepEmbedding(timesteps: timesteps, dimension: dimension, flipSinToCos: flipSinToCos,
                                    downscaleFrequencyShift: downscaleFrequencyShift, maxPeriod: maxPeriod)
    }

    public func coveredBlurredMasks(_ masks: [Tensor], standardDeviations: [Double], coverFactor: Double, sampleStride: Int) -> Tensor {
        masks.forEach { check($0) }
        return Tensor.cpuCoveredBlurredMasks(masks, standardDeviations: standardDeviations, coverFactor: coverFactor,
                                             sampleStride: sampleStride)
    }
    public func quantized(_ tensor: Tensor, againstLevels levels: [Float], alphas: [Float], mode: LevelQuantization) -> Tensor {
        check(tensor); return tensor.cpuQuantized(againstLevels: levels, alphas: alphas, mode: mode)
    }
    public func resizedBilinear(_ tensor: Tensor, height: Int, width: Int) -> Tensor {
        check(tensor); return tensor.cpuResizedBilinear(height: height, width: width)
    }
    public func resizedBicubic(_ tensor: Tensor, height: Int, width: Int) -> Tensor {
        check(tensor); return tensor.cpuResizedBicubic(height: height, width: width)
    }
}
