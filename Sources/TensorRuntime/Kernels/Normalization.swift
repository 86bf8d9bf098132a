import CKernels

extension Tensor {
    /// PyTorch's `group_norm` over an [B, C, ...] tensor with per-channel affine `weight` and
    /// `bias`; `fusedSiLU` applies SiLU to the result in the same pass (the usual ResNet order).
    /// Statistics are two-pass, accumulated in float blocks flushed to double, so they do not
    /// drift on large planes.
    func cpuGroupNorm(groups: Int, weight: Tensor, bias: Tensor, epsilon: Float, fusedSiLU: Bool = false) -> Tensor {
        OperationProfiler.measure("groupNorm") {
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
                var mean = 0.0, variance = 0.0
                sd_moments(groupStart, groupSize, &mean, &variance)
                let inverse = Float(1 / (variance + Double(epsilon)).squareRoot())
                let meanFloat = Float(mean)
                let firstChannel = (index % groups) * channelsPerGroup
                for localChannel in 0..<channelsPerGroup {
                    let channel = firstChannel + localChannel
                    let scale = gamma.value[channel] * inverse
                    let shift = beta.value[channel] - meanFloat * scale
                    let input = groupStart + localChannel * plane
                    let output = destination.value + index * groupSize + localChannel * plane
                    sd_affine(input, output, plane, scale, shift, fusedSiLU ? 1 : 0)
                }
            }
            return result
        }
    }

    /// PyTorch's `layer_norm` over the last dimension with affine `weight` and `bias`.
    func cpuLayerNorm(weight: Tensor, bias: Tensor, epsilon: Float) -> Tensor {
        OperationProfiler.measure("layerNorm") {
            let features = shape[rank - 1]
            let rows = count / features
            let result = Tensor(uninitializedShape: shape)
            let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
            let gamma = UncheckedSendable(weight.pointer), beta = UncheckedSendable(bias.pointer)
            parallelFor(rows, minimumPerTask: 16) { row in
                let input = source.value + row * features
                var mean = 0.0, variance = 0.0
                sd_moments(input, features, &mean, &variance)
                let inverse = Float(1 / (variance + Double(epsilon)).squareRoot())
                let meanFloat = Float(mean)
                let output = destination.value + row * features
                for index in 0..<features {
                    output[index] = (input[index] - meanFloat) * inverse * gamma.value[index] + beta.value[index]
                }
            }
            return result
        }
    }
}
