import Foundation

/// Elementwise unary functions (CPU kernels for the pipelines' arithmetic, not the networks').
public enum UnaryFunction: String, Sendable, CaseIterable {
    /// 1 / (1 + exp(-x)), with exp evaluated in float64 and rounded once.
    case sigmoid
    /// x * x.
    case square
    /// exp(x) in float32 (`expf`, as PyTorch's CPU kernel).
    case exp
}

extension Tensor {
    func cpuUnary(_ function: UnaryFunction) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let source = pointer, output = result.pointer
        switch function {
        case .sigmoid:
            for index in 0..<count { output[index] = 1 / (1 + Float(Foundation.exp(Double(-source[index])))) }
        case .square:
            for index in 0..<count { output[index] = source[index] * source[index] }
        case .exp:
            for index in 0..<count { output[index] = Foundation.expf(source[index]) }
        }
        return result
    }

    func cpuClamped(lower: Float, upper: Float) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let source = pointer, output = result.pointer
        for index in 0..<count { output[index] = Swift.min(Swift.max(source[index], lower), upper) }
        return result
    }

    func cpuDivided(by scalar: Float) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let source = pointer, output = result.pointer
        for index in 0..<count { output[index] = source[index] / scalar }
        return result
    }

    static func cpuLerp(_ start: Tensor, _ end: Tensor, weight: Float) -> Tensor {
        let result = Tensor(uninitializedShape: start.shape)
        let a = start.pointer, b = end.pointer, output = result.pointer
        for index in 0..<start.count {
            output[index] = weight < 0.5 ? a[index] + weight * (b[index] - a[index]) : b[index] - (b[index] - a[index]) * (1 - weight)
        }
        return result
    }

    func cpuExpanded(to target: [Int]) -> Tensor {
        let strides = Self.broadcastStrides(shape, to: target)
        let result = Tensor(uninitializedShape: target)
        let source = pointer, output = result.pointer
        var counter = [Int](repeating: 0, count: target.count)
        var offset = 0
        for index in 0..<result.count {
            output[index] = source[offset]
            var dimension = target.count - 1
            while dimension >= 0 {
                counter[dimension] += 1
                offset += strides[dimension]
                if counter[dimension] < target[dimension] { break }
                offset -= strides[dimension] * target[dimension]
                counter[dimension] = 0
                dimension -= 1
            }
        }
        return result
    }

    func cpuFirstValue(outside range: ClosedRange<Float>) -> Float? {
        for index in 0..<count where !range.contains(pointer[index]) { return pointer[index] }
        return nil
    }
}
