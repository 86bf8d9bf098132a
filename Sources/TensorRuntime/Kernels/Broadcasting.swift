/// Elementwise binary operations with NumPy/PyTorch broadcasting (CPU kernels).
///
/// Shapes are aligned from the last dimension; a dimension of extent 1 (or a missing leading
/// one) repeats. Each output element is one float32 operation on one element of each input, in
/// the same order as the scalar expression it names, so `a * m + b * (1 - m)` written with
/// tensors gives exactly what the per-element loop gave.
public enum ElementwiseOperation: String, Sendable, CaseIterable {
    case add, subtract, multiply, divide
    /// `lhs / rhs` where `rhs > 0`, else `lhs` (`torch.where(rhs > 0, lhs / rhs, lhs)`).
    case divideWherePositive
}

extension Tensor {
    /// The shape two shapes broadcast to, or nil when they do not broadcast.
    public static func broadcastShape(_ first: [Int], _ second: [Int]) -> [Int]? {
        let rank = Swift.max(first.count, second.count)
        var result = [Int](repeating: 1, count: rank)
        for index in 0..<rank {
            let a = index < rank - first.count ? 1 : first[index - (rank - first.count)]
            let b = index < rank - second.count ? 1 : second[index - (rank - second.count)]
            guard a == b || a == 1 || b == 1 else { return nil }
            result[index] = a == 1 ? b : a
        }
        return result
    }

    /// Element strides of `shape` broadcast to `target` (0 along repeated dimensions).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for index in Swift.stride(from: shape.count - 1, through: 0, by: -1) {
            let targetIndex = index + target.count - shape.count
            strides[targetIndex] = shape[index] == 1 ? 0 : step
            step *= shape[index]
        }
        return strides
    }

    func cpuBinary(_ operation: ElementwiseOperation, _ other: Tensor) -> Tensor {
        if shape == other.shape {
            switch operation {
            case .add: return combined(with: other) { $0 + $1 }
            case .subtract: return combined(with: other) { $0 - $1 }
            case .multiply: return combined(with: other) { $0 * $1 }
            case .divide, .divideWherePositive: break
            }
        }
        switch operation {
        case .add: return broadcastCombined(with: other) { $0 + $1 }
        case .subtract: return broadcastCombined(with: other) { $0 - $1 }
        case .multiply: return broadcastCombined(with: other) { $0 * $1 }
        case .divide: return broadcastCombined(with: other) { $0 / $1 }
        case .divideWherePositive: return broadcastCombined(with: other) { $1 > 0 ? $0 / $1 : $0 }
        }
    }

    /// The broadcast loop: the innermost dimension runs with fixed strides, the outer ones
    /// with a counter.
    @inline(__always)
    private func broadcastCombined(with other: Tensor, _ operation: (Float, Float) -> Float) -> Tensor {
        guard let target = Self.broadcastShape(shape, other.shape) else {
            preconditionFailure("broadcast: \(shape) and \(other.shape) do not broadcast")
        }
        let result = Tensor(uninitializedShape: target)
        guard result.count > 0 else { return result }
        let left = Self.broadcastStrides(shape, to: target), right = Self.broadcastStrides(other.shape, to: target)
        let rank = target.count
        let inner = rank == 0 ? 1 : target[rank - 1]
        let leftInner = rank == 0 ? 0 : left[rank - 1], rightInner = rank == 0 ? 0 : right[rank - 1]
        let lhs = pointer, rhs = other.pointer, output = result.pointer
        var counter = [Int](repeating: 0, count: Swift.max(rank - 1, 0))
        var leftOffset = 0, rightOffset = 0, outputOffset = 0
        let rows = result.count / inner
        for _ in 0..<rows {
            for index in 0..<inner {
                output[outputOffset + index] = operation(lhs[leftOffset + index * leftInner], rhs[rightOffset + index * rightInner])
            }
            outputOffset += inner
            // Advance the outer counter (last outer dimension fastest).
            var dimension = rank - 2
            while dimension >= 0 {
                counter[dimension] += 1
                leftOffset += left[dimension]
                rightOffset += right[dimension]
                if counter[dimension] < target[dimension] { break }
                leftOffset -= left[dimension] * target[dimension]
                rightOffset -= right[dimension] * target[dimension]
                counter[dimension] = 0
                dimension -= 1
            }
        }
        return result
    }
}
