/// Elementwise arithmetic, dispatched to the tensor's backend. Binary operators broadcast
/// (NumPy/PyTorch rules); each output element is one float32 operation, so a formula written
/// with these operators computes exactly what the same scalar formula computes per element.
extension Tensor {
    /// Elementwise sum (broadcasting).
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.backend.binary(.add, lhs, rhs) }
    /// Elementwise difference (broadcasting).
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.backend.binary(.subtract, lhs, rhs) }
    /// Elementwise product (broadcasting).
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.backend.binary(.multiply, lhs, rhs) }
    /// Elementwise quotient (broadcasting).
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.backend.binary(.divide, lhs, rhs) }
    /// Every element times `scalar`.
    public static func * (lhs: Tensor, scalar: Float) -> Tensor { lhs.backend.scaled(lhs, by: scalar) }
    /// Every element divided by `scalar`.
    public static func / (lhs: Tensor, scalar: Float) -> Tensor { lhs.backend.divided(lhs, by: scalar) }
    /// `scalar - x` for every element (computed as x * -1 + scalar, which is the same number).
    public static func - (scalar: Float, rhs: Tensor) -> Tensor { rhs.affine(scale: -1, shift: scalar) }

    /// `self / denominator` where the denominator is > 0, `self` elsewhere (broadcasting):
    /// `torch.where(d > 0, x / d, x)`.
    public func dividedWherePositive(by denominator: Tensor) -> Tensor {
        backend.binary(.divideWherePositive, self, denominator)
    }

    /// `self * scale + shift`, elementwise.
    public func affine(scale: Float, shift: Float) -> Tensor { backend.affine(self, scale: scale, shift: shift) }

    /// The function applied elementwise.
    public func applying(_ function: UnaryFunction) -> Tensor { backend.unary(function, self) }

    /// 1 / (1 + exp(-x)) elementwise (exp in float64, rounded once).
    public func sigmoid() -> Tensor { applying(.sigmoid) }

    /// x * x elementwise.
    public func squared() -> Tensor { applying(.square) }

    /// min(max(x, lower), upper) elementwise.
    public func clamped(_ lower: Float, _ upper: Float) -> Tensor { backend.clamped(self, lower: lower, upper: upper) }

    /// `torch.lerp(start, end, weight)`: start + w (end - start) for w < 0.5, else
    /// end - (end - start)(1 - w), elementwise over tensors of equal shape.
    public static func lerp(_ start: Tensor, _ end: Tensor, weight: Float) -> Tensor {
        precondition(start.shape == end.shape, "lerp: \(start.shape) vs \(end.shape)")
        return start.backend.lerp(start, end, weight: weight)
    }

    /// Adds `other` (same shape) into this tensor's storage. Only for tensors the caller created.
    public func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "addInPlace: \(shape) vs \(other.shape)")
        backend.addInPlace(self, other)
    }

    /// Adds a per-sample, per-channel value: self [B, C, H, W] + values [B, C].
    public func addingPerChannel(_ values: Tensor) -> Tensor {
        precondition(values.shape == [shape[0], shape[1]], "addingPerChannel: \(shape) vs \(values.shape)")
        return backend.addingPerChannel(self, values)
    }

    /// Adds bias [C] to every plane of channel c, in place (only for tensors the caller created).
    public func addChannelBiasInPlace(_ bias: Tensor) { backend.addChannelBiasInPlace(self, bias) }

    /// Sum over `dimension`, kept with extent 1 (the elements added in index order, from 0).
    public func summed(alongDimension dimension: Int) -> Tensor {
        precondition(dimension >= 0 && dimension < rank)
        return backend.summed(self, alongDimension: dimension)
    }

    /// The standard deviation of each sample (every element of an index in dimension 0), shaped
    /// [N, 1, ..., 1] like the tensor's rank: `torch.std(x, dim=list(range(1, x.ndim)), keepdim=True)`,
    /// with Bessel's correction when `unbiased` (torch's default). Accumulated in float64.
    public func sampleStandardDeviations(unbiased: Bool = true) -> Tensor {
        precondition(rank >= 1 && count > 0)
        return backend.sampleStandardDeviations(self, unbiased: unbiased)
    }

    /// The first element outside `range` (NaN counts as outside), or nil.
    public func firstValue(outside range: ClosedRange<Float>) -> Float? { backend.firstValue(self, outside: range) }
}
