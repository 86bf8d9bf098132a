import TensorRuntime

/// Latent-resolution masks for every brush and scheduler slot, ready for aggregation.
public struct ProcessedMasks: Sendable {
    /// Quantised masks, shape `[P, T, 1, h, w]` (brush, slot, 1, latent height, latent width).
    public let latent: Tensor
    /// Background weight per slot, `clamp(1 - sum_p latent[p, t], 0, 1)`, shape `[T, 1, h, w]`.
    public let background: Tensor

    /// Wraps already computed tensors.
    public init(latent: Tensor, background: Tensor) {
        self.latent = latent
        self.background = background
    }

    /// The number of brushes P.
    public var brushCount: Int { latent.shape[0] }
    /// The number of scheduler slots T.
    public var slotCount: Int { latent.shape[1] }
}
