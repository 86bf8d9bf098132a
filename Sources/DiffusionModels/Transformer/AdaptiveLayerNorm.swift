import TensorRuntime

/// The adaptive layer norms of the SD3 transformer (models/normalization.py, diffusers 0.42.1):
/// a `linear` layer maps SiLU(conditioning) [B, D] to per-sample modulation vectors, which scale
/// and shift a layer norm without affine parameters (eps 1e-6). Callers pass the conditioning
/// already through SiLU (every block applies it to the same embedding, so it is done once).
///
/// - `AdaLayerNormZero`: 6 vectors, `shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp`.
/// - `SD35AdaLayerNormZeroX` (dual-attention blocks): 9 vectors, those six then
///   `shift_msa2, scale_msa2, gate_msa2`.
/// - `AdaLayerNormContinuous` (the context-only block's context and the final `norm_out`):
///   2 vectors, `scale, shift` (in that order).
struct AdaptiveLayerNorm: Sendable {
    /// Which adaptive norm, by the number of modulation vectors its `linear` produces.
    enum Kind: Int, Sendable {
        case zero = 6
        case zeroX = 9
        case continuous = 2
    }

    static let epsilon: Float = 1e-6
    let kind: Kind
    let linear: Linear
    let dimension: Int

    init(_ store: ParameterStore, _ path: KeyPath, kind: Kind, dimension: Int) throws {
        self.kind = kind
        self.dimension = dimension
        linear = try Linear(store, path.appending("linear"), inFeatures: dimension, outFeatures: kind.rawValue * dimension)
    }

    /// The modulation vectors [B, D] for `activatedConditioning` = SiLU(conditioning) [B, D], in
    /// the order of ``Kind``.
    func modulation(_ activatedConditioning: Tensor) -> Modulation {
        let batch = activatedConditioning.shape[0]
        let chunks = linear(activatedConditioning).reshaped([batch, kind.rawValue, dimension])
        return Modulation(vectors: (0..<kind.rawValue).map { chunks.selecting(index: $0, alongDimension: 1) })
    }

    /// The chunks of one adaptive norm's `linear` output.
    struct Modulation {
        let vectors: [Tensor]
        // AdaLayerNormZero / SD35AdaLayerNormZeroX.
        var shiftAttention: Tensor { vectors[0] }
        var scaleAttention: Tensor { vectors[1] }
        var gateAttention: Tensor { vectors[2] }
        var shiftFeedForward: Tensor { vectors[3] }
        var scaleFeedForward: Tensor { vectors[4] }
        var gateFeedForward: Tensor { vectors[5] }
        var shiftAttention2: Tensor { vectors[6] }
        var scaleAttention2: Tensor { vectors[7] }
        var gateAttention2: Tensor { vectors[8] }
        // AdaLayerNormContinuous.
        var continuousScale: Tensor { vectors[0] }
        var continuousShift: Tensor { vectors[1] }
    }
}

extension Tensor {
    /// LayerNorm without affine parameters (eps 1e-6), then `* (1 + scale) + shift` per sample.
    func adaptivelyNormalized(scale: Tensor, shift: Tensor) -> Tensor {
        modulatedLayerNorm(scale: scale, shift: shift, epsilon: AdaptiveLayerNorm.epsilon)
    }
}
