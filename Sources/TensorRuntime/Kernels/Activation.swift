import CKernels

/// Pointwise activations (vectorised loops in the CKernels module).
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
    /// GELU with PyTorch's tanh approximation, x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    /// (`nn.GELU(approximate="tanh")`, diffusers' "gelu-approximate" feed-forward in SD3).
    case geluTanh = "gelu_tanh"

    var code: Int32 {
        switch self {
        case .silu: return Int32(SD_ACTIVATION_SILU.rawValue)
        case .gelu: return Int32(SD_ACTIVATION_GELU.rawValue)
        case .quickGELU: return Int32(SD_ACTIVATION_QUICK_GELU.rawValue)
        case .relu: return Int32(SD_ACTIVATION_RELU.rawValue)
        case .tanh: return Int32(SD_ACTIVATION_TANH.rawValue)
        case .geluTanh: return Int32(SD_ACTIVATION_GELU_TANH.rawValue)
        }
    }
}

/// Elements per parallel chunk of pointwise loops.
let pointwiseChunk = 16384

extension Tensor {
    /// The activation applied elementwise.
    func cpuActivated(_ activation: Activation) -> Tensor {
        OperationProfiler.measure("activation") {
            let result = Tensor(uninitializedShape: shape)
            let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
            let total = count, code = activation.code
            parallelRanges((total + pointwiseChunk - 1) / pointwiseChunk) { range in
                let start = range.lowerBound * pointwiseChunk
                let end = Swift.min(total, range.upperBound * pointwiseChunk)
                sd_activate(source.value + start, destination.value + start, end - start, code)
            }
            return result
        }
    }

    /// GEGLU's gate: for x [..., 2n] returns x[..., :n] * gelu(x[..., n:]).
    func cpuGEGLU() -> Tensor {
        OperationProfiler.measure("geglu") {
            let doubled = shape[rank - 1]
            precondition(doubled % 2 == 0)
            let half = doubled / 2
            let rows = count / doubled
            let result = Tensor(uninitializedShape: Array(shape.dropLast()) + [half])
            let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
            parallelFor(rows, minimumPerTask: 8) { row in
                let hidden = source.value + row * doubled
                sd_geglu(hidden, hidden + half, destination.value + row * half, half)
            }
            return result
        }
    }

    /// Applies `transform` to `count` floats in 16-wide vectors, in parallel; `source` and
    /// `destination` may be the same memory. For arithmetic only (Swift compiles SIMD
    /// arithmetic to vector instructions; comparisons and selects belong in CKernels).
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
