/// The operations a device implements. Every public operation on ``Tensor`` dispatches here,
/// to the backend of its first operand's device (``Tensor/backend``), so code above the
/// runtime — networks, schedulers, the SemanticDraw pipelines — runs unchanged on any backend.
///
/// ``CPUBackend`` is the only implementation today. A GPU backend implements the same
/// requirements over its own storage (docs/ARCHITECTURE.md). Preconditions on shapes are
/// checked by the public operations before they dispatch; a backend may assume them.
public protocol TensorBackend: Sendable {
    /// The device whose tensors this backend computes on.
    var device: Device { get }

    // Data movement.
    func copy(_ tensor: Tensor) -> Tensor
    func slice(_ tensor: Tensor, outer start: Int, length: Int) -> Tensor
    func concatenateOuter(_ parts: [Tensor]) -> Tensor
    func concatenateChannels(_ parts: [Tensor]) -> Tensor
    func channelsLast(_ tensor: Tensor) -> Tensor
    func channelsFirst(_ tensor: Tensor, height: Int, width: Int) -> Tensor
    func upsampleNearest(_ tensor: Tensor, factor: Int) -> Tensor
    func resizedNearest(_ tensor: Tensor, height: Int, width: Int) -> Tensor
    func gatherRows(_ tensor: Tensor, _ indices: [Int]) -> Tensor
    func cropped(_ tensor: Tensor, to region: SpatialRegion) -> Tensor
    func addingPatch(_ tensor: Tensor, _ patch: Tensor, at region: SpatialRegion) -> Tensor
    func rolled(_ tensor: Tensor, shifts: [(rows: Int, columns: Int)]) -> Tensor
    func selecting(_ tensor: Tensor, index: Int, alongDimension dimension: Int) -> Tensor
    func expanded(_ tensor: Tensor, to shape: [Int]) -> Tensor
    func subsampled(_ tensor: Tensor, stride: Int) -> Tensor
    func unpatchified(_ tensor: Tensor, height: Int, width: Int, patchSize: Int) -> Tensor

    // Elementwise.
    func binary(_ operation: ElementwiseOperation, _ lhs: Tensor, _ rhs: Tensor) -> Tensor
    func scaled(_ tensor: Tensor, by scalar: Float) -> Tensor
    func divided(_ tensor: Tensor, by scalar: Float) -> Tensor
    func affine(_ tensor: Tensor, scale: Float, shift: Float) -> Tensor
    func unary(_ function: UnaryFunction, _ tensor: Tensor) -> Tensor
    func clamped(_ tensor: Tensor, lower: Float, upper: Float) -> Tensor
    func lerp(_ start: Tensor, _ end: Tensor, weight: Float) -> Tensor
    func addInPlace(_ target: Tensor, _ addend: Tensor)
    func addingPerChannel(_ tensor: Tensor, _ values: Tensor) -> Tensor
    func addChannelBiasInPlace(_ tensor: Tensor, _ bias: Tensor)
    func addingGated(_ tensor: Tensor, _ value: Tensor, gate: Tensor) -> Tensor
    func activated(_ tensor: Tensor, _ activation: Activation) -> Tensor
    func geglu(_ tensor: Tensor) -> Tensor
    func softmax(_ tensor: Tensor) -> Tensor

    // Reductions.
    func summed(_ tensor: Tensor, alongDimension dimension: Int) -> Tensor
    func sampleStandardDeviations(_ tensor: Tensor, unbiased: Bool) -> Tensor
    func positiveBoundingBoxes(_ tensor: Tensor) -> [PositiveBoundingBox?]
    func firstValue(_ tensor: Tensor, outside range: ClosedRange<Float>) -> Float?

    // Linear algebra and normalisation.
    func linear(_ tensor: Tensor, weight: Tensor, bias: Tensor?) -> Tensor
    func matmul(_ lhs: Tensor, _ rhs: Tensor) -> Tensor
    func addMatrixProductInPlace(_ target: Tensor, _ lhs: Tensor, _ rhs: Tensor, scale: Float)
    func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int, causal: Bool, scoreTileLimit: Int) -> Tensor
    func jointAttention(queries: [Tensor], keys: [Tensor], values: [Tensor], heads: Int) -> [Tensor]
    func conv2d(_ tensor: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Padding2D,
                algorithm: ConvolutionAlgorithm) -> Tensor
    func groupNorm(_ tensor: Tensor, groups: Int, weight: Tensor, bias: Tensor, epsilon: Float, fusedSiLU: Bool) -> Tensor
    func layerNorm(_ tensor: Tensor, weight: Tensor, bias: Tensor, epsilon: Float) -> Tensor
    func modulatedLayerNorm(_ tensor: Tensor, scale: Tensor, shift: Tensor, epsilon: Float) -> Tensor
    func rmsNorm(_ tensor: Tensor, weight: Tensor?, epsilon: Float) -> Tensor

    // Creation.
    func timestepEmbedding(timesteps: [Float], dimension: Int, flipSinToCos: Bool, downscaleFrequencyShift: Float,
                           maxPeriod: Float) -> Tensor

    // Image and mask kernels of the SemanticDraw pipelines.
    func coveredBlurredMasks(_ masks: [Tensor], standardDeviations: [Double], coverFactor: Double, sampleStride: Int) -> Tensor
    func quantized(_ tensor: Tensor, againstLevels levels: [Float], alphas: [Float], mode: LevelQuantization) -> Tensor
    func resizedBilinear(_ tensor: Tensor, height: Int, width: Int) -> Tensor
    func resizedBicubic(_ tensor: Tensor, height: Int, width: Int) -> Tensor
}
