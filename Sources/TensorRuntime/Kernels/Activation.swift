/// Pointwise activations, vectorised with ``FastMath``.
public enum Activation: String, Sendable, CaseIterable {
    /// x * sigmoid(x) (diffusers' "silu"/"swish").
    case silu
    /// Exact GELU, x/2 (1 + erf(x/sqrt 2)) (PyTorch's default `gelu`).
    case gelu
    /// CLIP's quick GELU, x * sigmoid(1.702 x).
    case quickGELU = "quick_gelu"
    /// max(x, 0).
    case relu
    /// Hyperbolic tangent.
    case tanh

    @inlinable @inline(__always)
    func apply(_ x: SIMD16<Float>) -> SIMD16<Float> {
        switch self {
        case .silu: return x * FastMath.sigmoid(x)
        case .gelu: return 0.5 * x * (1 + FastMath.erf(x * 0.70710678118654752))
        case .quickGELU: return x * FastMath.sigmoid(1.702 * x)
        case .relu: return x.replacing(with: 0, where: x .< 0)
        case .tanh: return FastMath.tanh(x)
        }
    }
}

extension Tensor {
    /// The activation applied elementwise.
    public func activated(_ activation: Activation) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        Self.mapVectors(count: count, from: pointer, to: result.pointer) { activation.apply($0) }
        return result
    }

    /// GEGLU's gate: for x [..., 2n] returns x[..., :n] * gelu(x[..., n:]).
    public func geglu() -> Tensor {
        let doubled = shape[rank - 1]
        precondition(doubled % 2 == 0)
        let half = doubled / 2
        let rows = count / doubled
        let result = Tensor(uninitializedShape: Array(shape.dropLast()) + [half])
        let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
        parallelFor(rows, minimumPerTask: 8) { row in
            let hidden = source.value + row * doubled
            let gate = hidden + half
            let output = destination.value + row * half
            var index = 0
            while index < half {
                let lanes = min(16, half - index)
                var hiddenVector = SIMD16<Float>(repeating: 0), gateVector = SIMD16<Float>(repeating: 0)
                if lanes == 16 {
                    hiddenVector = UnsafeRawPointer(hidden + index).loadUnaligned(as: SIMD16<Float>.self)
                    gateVector = UnsafeRawPointer(gate + index).loadUnaligned(as: SIMD16<Float>.self)
                } else {
                    for lane in 0..<lanes { hiddenVector[lane] = hidden[index + lane]; gateVector[lane] = gate[index + lane] }
                }
                let value = hiddenVector * Activation.gelu.apply(gateVector)
                if lanes == 16 {
                    UnsafeMutableRawPointer(output + index).storeBytes(of: value, as: SIMD16<Float>.self)
                } else {
                    for lane in 0..<lanes { output[index + lane] = value[lane] }
                }
                index += 16
            }
        }
        return result
    }

    /// Applies `transform` to `count` floats in 16-wide vectors, in parallel; `source` and
    /// `destination` may be the same memory.
    @inlinable
    static func mapVectors(count: Int, from source: UnsafeMutablePointer<Float>, to destination: UnsafeMutablePointer<Float>,
                           _ transform: (SIMD16<Float>) -> SIMD16<Float>) {
        let vectors = (count + 15) / 16
        let sourceBox = UncheckedSendable(source), destinationBox = UncheckedSendable(destination)
        parallelRanges(vectors, minimumPerTask: 1024) { range in
            for vectorIndex in range {
                let index = vectorIndex * 16
                if index + 16 <= count {
                    let value = transform(UnsafeRawPointer(sourceBox.value + index).loadUnaligned(as: SIMD16<Float>.self))
                    UnsafeMutableRawPointer(destinationBox.value + index).storeBytes(of: value, as: SIMD16<Float>.self)
                } else {
                    var vector = SIMD16<Float>(repeating: 0)
                    for lane in 0..<(count - index) { vector[lane] = sourceBox.value[index + lane] }
                    let value = transform(vector)
                    for lane in 0..<(count - index) { destinationBox.value[index + lane] = value[lane] }
                }
            }
        }
    }
}
