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

    /// RMS normalisation over the last dimension, diffusers' `RMSNorm`: x * rsqrt(mean(x^2) + eps)
    /// [* weight]. The mean of squares is accumulated in double and the inverse rounded once.
    func cpuRMSNorm(weight: Tensor?, epsilon: Float) -> Tensor {
        OperationProfiler.measure("rmsNorm") {
            let features = shape[rank - 1]
            let rows = count / features
            let result = Tensor(uninitializedShape: shape)
            let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
            let gamma = UncheckedSendable(weight?.pointer)
            parallelFor(rows, minimumPerTask: 64) { row in
                let input = source.value + row * features
                let meanSquare = sd_mean_square(input, features)
                let inverse = Float(1 / (meanSquare + Double(epsilon)).squareRoot())
                sd_scale_row(input, destination.value + row * features, features, inverse, gamma.value)
            }
            return result
        }
    }

    /// Adaptive layer norm: [B, S, D] normalised over D without affine parameters, then
    /// `* (1 + scale[b]) + shift[b]` with per-sample `scale` and `shift` [B, D] (diffusers'
    /// `norm(x) * (1 + scale[:, None]) + shift[:, None]`).
    func cpuModulatedLayerNorm(scale: Tensor, shift: Tensor, epsilon: Float) -> Tensor {
        OperationProfiler.measure("layerNorm") {
            let batch = shape[0], features = shape[rank - 1]
            let rowsPerSample = count / (batch * features)
            let onePlusScale = scale.cpuAffine(scale: 1, shift: 1)
            let result = Tensor(uninitializedShape: shape)
            let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
            let scales = UncheckedSendable(onePlusScale.pointer), shifts = UncheckedSendable(shift.pointer)
            parallelFor(batch * rowsPerSample, minimumPerTask: 16) { row in
                let sample = row / rowsPerSample
                let input = source.value + row * features
                var mean = 0.0, variance = 0.0
                sd_moments(input, features, &mean, &variance)
                let inverse = Float(1 / (variance + Double(epsilon)).squareRoot())
                sd_normalize_modulate(input, destination.value + row * features, features, Float(mean), inverse,
                                      scales.value + sample * features, shifts.value + sample * features)
            }
            return result
        }
    }
}
