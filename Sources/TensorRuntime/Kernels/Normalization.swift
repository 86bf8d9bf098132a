extension Tensor {
    /// PyTorch's `group_norm` over an [B, C, ...] tensor with per-channel affine `weight` and
    /// `bias`; `fusedSiLU` applies SiLU to the result in the same pass (the usual ResNet order).
    /// Statistics are accumulated in double precision (two passes), so they do not drift on
    /// large planes.
    public func groupNorm(groups: Int, weight: Tensor, bias: Tensor, epsilon: Float, fusedSiLU: Bool = false) -> Tensor {
        let batch = shape[0], channels = shape[1]
        precondition(channels % groups == 0, "groupNorm: \(channels) channels in \(groups) groups")
        let plane = count / (batch * channels)
        let channelsPerGroup = channels / groups
        let groupSize = channelsPerGroup * plane
        let result = Tensor(uninitializedShape: shape)
        let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
        let gamma = UncheckedSendable(weight.pointer), beta = UncheckedSendable(bias.pointer)
        parallelFor(batch * groups) { index in
            let groupStart = source.value + index * groupSize
            let mean = Self.sum(groupStart, groupSize) / Double(groupSize)
            let variance = Self.sumOfSquaredDeviations(groupStart, groupSize, mean: mean) / Double(groupSize)
            let inverse = Float(1 / (variance + Double(epsilon)).squareRoot())
            let meanFloat = Float(mean)
            let firstChannel = (index % groups) * channelsPerGroup
            for localChannel in 0..<channelsPerGroup {
                let channel = firstChannel + localChannel
                let scale = gamma.value[channel] * inverse
                let shift = beta.value[channel] - meanFloat * scale
                let input = groupStart + localChannel * plane
                let output = destination.value + index * groupSize + localChannel * plane
                Self.affine(input, output, plane, scale: scale, shift: shift, fusedSiLU: fusedSiLU)
            }
        }
        return result
    }

    /// PyTorch's `layer_norm` over the last dimension with affine `weight` and `bias`.
    public func layerNorm(weight: Tensor, bias: Tensor, epsilon: Float) -> Tensor {
        let features = shape[rank - 1]
        let rows = count / features
        let result = Tensor(uninitializedShape: shape)
        let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
        let gamma = UncheckedSendable(weight.pointer), beta = UncheckedSendable(bias.pointer)
        parallelFor(rows, minimumPerTask: 16) { row in
            let input = source.value + row * features
            let mean = Self.sum(input, features) / Double(features)
            let variance = Self.sumOfSquaredDeviations(input, features, mean: mean) / Double(features)
            let inverse = Float(1 / (variance + Double(epsilon)).squareRoot())
            let meanFloat = Float(mean)
            let output = destination.value + row * features
            for index in 0..<features {
                output[index] = (input[index] - meanFloat) * inverse * gamma.value[index] + beta.value[index]
            }
        }
        return result
    }

    @inlinable
    static func sum(_ values: UnsafeMutablePointer<Float>, _ count: Int) -> Double {
        var total = 0.0
        var index = 0
        while index + 16 <= count {
            let vector = UnsafeRawPointer(values + index).loadUnaligned(as: SIMD16<Float>.self)
            total += Double(vector.sum())
            index += 16
        }
        while index < count { total += Double(values[index]); index += 1 }
        return total
    }

    @inlinable
    static func sumOfSquaredDeviations(_ values: UnsafeMutablePointer<Float>, _ count: Int, mean: Double) -> Double {
        var total = 0.0
        let meanVector = SIMD16<Float>(repeating: Float(mean))
        var index = 0
        while index + 16 <= count {
            let deviation = UnsafeRawPointer(values + index).loadUnaligned(as: SIMD16<Float>.self) - meanVector
            total += Double((deviation * deviation).sum())
            index += 16
        }
        while index < count {
            let deviation = Double(values[index]) - mean
            total += deviation * deviation
            index += 1
        }
        return total
    }

    @inlinable
    static func affine(_ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ count: Int,
                       scale: Float, shift: Float, fusedSiLU: Bool) {
        var index = 0
        while index + 16 <= count {
            var vector = UnsafeRawPointer(input + index).loadUnaligned(as: SIMD16<Float>.self) * scale + shift
            if fusedSiLU { vector = vector * FastMath.sigmoid(vector) }
            UnsafeMutableRawPointer(output + index).storeBytes(of: vector, as: SIMD16<Float>.self)
            index += 16
        }
        if index < count {
            var vector = SIMD16<Float>(repeating: 0)
            for lane in 0..<(count - index) { vector[lane] = input[index + lane] * scale + shift }
            if fusedSiLU { vector = vector * FastMath.sigmoid(vector) }
            for lane in 0..<(count - index) { output[index + lane] = vector[lane] }
        }
    }
}
