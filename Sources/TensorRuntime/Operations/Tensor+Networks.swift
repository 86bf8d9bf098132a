/// The networks' operations, dispatched to the tensor's backend.
extension Tensor {
    /// The activation applied elementwise.
    public func activated(_ activation: Activation) -> Tensor { backend.activated(self, activation) }

    /// GEGLU's gate: for x [..., 2n] returns x[..., :n] * gelu(x[..., n:]).
    public func geglu() -> Tensor { backend.geglu(self) }

    /// Softmax over the last dimension.
    public func softmax() -> Tensor { backend.softmax(self) }

    /// `x @ weight^T + bias` over the last dimension: x [..., in], weight [out, in], bias [out].
    public func linear(weight: Tensor, bias: Tensor?) -> Tensor { backend.linear(self, weight: weight, bias: bias) }

    /// self += scale * (lhs @ rhs) in one GEMM (self viewed as [m, n]; lhs [m, k], rhs [k, n]):
    /// LoRA fusion into a weight copy. Only for tensors the caller created.
    public func addMatrixProductInPlace(_ lhs: Tensor, _ rhs: Tensor, scale: Float) {
        precondition(lhs.rank == 2 && rhs.rank == 2 && lhs.shape[1] == rhs.shape[0] && count == lhs.shape[0] * rhs.shape[1],
                     "addMatrixProductInPlace: \(shape) += \(lhs.shape) x \(rhs.shape)")
        backend.addMatrixProductInPlace(self, lhs, rhs, scale: scale)
    }

    /// Batched matrix product of the last two dimensions: [..., m, k] x [..., k, n].
    public func matmul(_ other: Tensor) -> Tensor { backend.matmul(self, other) }

    /// Multi-head scaled dot-product attention, `softmax(q k^T * scale [+ causal mask]) v`:
    /// query [B, Sq, H*D], key and value [B, Sk, H*D] (heads interleaved per token); returns
    /// [B, Sq, H*D]. Unmasked attention runs fused (96-query x 256-key score blocks); causal
    /// attention computes scores in query tiles of at most `scoreTileLimit` floats.
    public static func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int, causal: Bool = false,
                                 scoreTileLimit: Int = attentionScoreTileLimit) -> Tensor {
        query.backend.attention(query: query, key: key, value: value, heads: heads, causal: causal, scoreTileLimit: scoreTileLimit)
    }

    /// Unmasked multi-head attention of each query part [B, Sq_i, H*D] against the key and value
    /// parts [B, Sk_j, H*D] concatenated along the sequence (SD3's joint attention over image
    /// and context tokens), without building the concatenations: one [B, Sq_i, H*D] per query
    /// part, equal to ``attention(query:key:value:heads:causal:scoreTileLimit:)`` over the
    /// concatenated queries, keys and values, split again.
    public static func jointAttention(queries: [Tensor], keys: [Tensor], values: [Tensor], heads: Int) -> [Tensor] {
        queries[0].backend.jointAttention(queries: queries, keys: keys, values: values, heads: heads)
    }

    /// 2-D cross-correlation as PyTorch's `conv2d`: input [B, Cin, H, W], weight
    /// [Cout, Cin, kh, kw], optional bias [Cout].
    public func conv2d(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Padding2D = Padding2D(0),
                       algorithm: ConvolutionAlgorithm = .automatic) -> Tensor {
        backend.conv2d(self, weight: weight, bias: bias, stride: stride, padding: padding, algorithm: algorithm)
    }

    /// Group normalisation of [B, C, ...] (optionally followed by SiLU in the same pass).
    public func groupNorm(groups: Int, weight: Tensor, bias: Tensor, epsilon: Float, fusedSiLU: Bool = false) -> Tensor {
        backend.groupNorm(self, groups: groups, weight: weight, bias: bias, epsilon: epsilon, fusedSiLU: fusedSiLU)
    }

    /// Layer normalisation over the last dimension.
    public func layerNorm(weight: Tensor, bias: Tensor, epsilon: Float) -> Tensor {
        backend.layerNorm(self, weight: weight, bias: bias, epsilon: epsilon)
    }

    /// Adaptive layer normalisation (adaLN): self [B, ..., D] normalised over the last dimension
    /// without affine parameters (PyTorch's `layer_norm`, `elementwise_affine=False`), then
    /// `* (1 + scale[b]) + shift[b]` with per-sample `scale` and `shift` [B, D], as diffusers'
    /// `AdaLayerNormZero` / `AdaLayerNormContinuous` compute it.
    public func modulatedLayerNorm(scale: Tensor, shift: Tensor, epsilon: Float) -> Tensor {
        precondition(rank >= 2 && scale.shape == [shape[0], shape[rank - 1]] && shift.shape == scale.shape,
                     "modulatedLayerNorm: \(shape) with scale \(scale.shape), shift \(shift.shape)")
        return backend.modulatedLayerNorm(self, scale: scale, shift: shift, epsilon: epsilon)
    }

    /// RMS normalisation over the last dimension (diffusers' `RMSNorm`):
    /// x * rsqrt(mean(x^2) + epsilon), times `weight` [D] when given.
    public func rmsNorm(weight: Tensor?, epsilon: Float) -> Tensor {
        precondition(rank >= 1 && (weight == nil || weight!.shape == [shape[rank - 1]]),
                     "rmsNorm: \(shape) with weight \(weight?.shape ?? [])")
        return backend.rmsNorm(self, weight: weight, epsilon: epsilon)
    }

    /// self + gate[b] * value for self and value of equal shape [B, ..., D] and per-sample gates
    /// [B, D] (adaLN-Zero's gated residual).
    public func addingGated(_ value: Tensor, gate: Tensor) -> Tensor {
        precondition(rank >= 2 && value.shape == shape && gate.shape == [shape[0], shape[rank - 1]],
                     "addingGated: \(shape) + \(gate.shape) * \(value.shape)")
        return backend.addingGated(self, value, gate: gate)
    }

    /// Sinusoidal timestep embedding as diffusers' `get_timestep_embedding` computes it in float32:
    /// frequencies exp(-ln(maxPeriod) * i / (half - downscaleFrequencyShift)), arguments t * f,
    /// then [sin, cos] (or [cos, sin] when `flipSinToCos`). timesteps: one value per sample.
    public static func timestepEmbedding(timesteps: [Float], dimension: Int, flipSinToCos: Bool, downscaleFrequencyShift: Float,
                                         maxPeriod: Float = 10000, device: Device = .cpu) -> Tensor {
        device.backend.timestepEmbedding(timesteps: timesteps, dimension: dimension, flipSinToCos: flipSinToCos,
                                         downscaleFrequencyShift: downscaleFrequencyShift, maxPeriod: maxPeriod)
    }
}
