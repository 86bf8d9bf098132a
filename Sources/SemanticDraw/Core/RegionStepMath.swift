import TensorRuntime

/// The SemanticDraw step arithmetic (docs/ALGORITHM.md §4 steps 2-6, §5 steps 3-5), written
/// once as named tensor operations and shared by the one-shot loop, the stream, panorama and
/// the baseline MultiDiffusion. Each function states the formula it computes; the operations
/// evaluate it per element in exactly that order, so every caller gets the same float32 numbers.
public enum RegionStepMath {
    /// Leak-suppression sensitivity (the reference implementation's 0.2): after bootstrapping, a
    /// brush's weight is scaled by 2 sigmoid(d / 0.2) - 1 where d is the per-pixel mean squared
    /// distance (over channels) between the brush's denoised latent and the bootstrap latent.
    /// Where the brush reproduced the (white or background) bootstrap latent, d is ~0 and the
    /// factor ~0, so the bootstrap colour does not leak into the average; at d = 0.2 the
    /// factor is 2 sigmoid(1) - 1 ~ 0.46, and it exceeds 0.96 for d > 0.8. The latent values of
    /// SD's VAE have unit-order variance, so 0.2 separates "still the bootstrap" from "content".
    public static let leakSensitivity: Float = 0.2

    /// Bootstrapping (§4 step 2): every copy sees only its own region on the bootstrap latent,
    /// `(1 - m) * boot + m * x` with copies `x` [R, C, h, w], masks `m` [R, 1, h, w] and one
    /// bootstrap latent `boot` [1, C, h, w] (or one per row, [R, C, h, w]).
    public static func bootstrapMix(copies: Tensor, bootstrap: Tensor, masks: Tensor) -> Tensor {
        (1 - masks) * bootstrap + masks * copies
    }

    /// Mask centring (§4 step 2): per mask [R, 1, h, w] the circular shift (rows, columns) that
    /// moves the centre of the bounding box of entries > 0 to the view centre. An empty mask
    /// counts as the box 0...0, 0...0 (the reference's convention): shift (h div 2, w div 2).
    public static func centringShifts(masks: Tensor) -> [(rows: Int, columns: Int)] {
        let height = masks.shape[masks.rank - 2], width = masks.shape[masks.rank - 1]
        return masks.positiveBoundingBoxes().map { box in
            let top = box?.top ?? 0, bottom = box?.bottom ?? 0, left = box?.left ?? 0, right = box?.right ?? 0
            return (height / 2 - (top + bottom + 1) / 2, width / 2 - (left + right + 1) / 2)
        }
    }

    /// The inverse shifts of ``centringShifts(masks:)`` (rolling back after the model call).
    public static func inverse(_ shifts: [(rows: Int, columns: Int)]) -> [(rows: Int, columns: Int)] {
        shifts.map { (-$0.rows, -$0.columns) }
    }

    /// Leak suppression (§4 step 5): `m * (2 sigmoid(d / 0.2) - 1)` with
    /// `d = mean over channels of (z - boot)^2`, for weights [R, 1, h, w], denoised latents
    /// `z` [R, C, h, w] and the noised bootstrap latent `boot` [1, C, h, w] (or [R, C, h, w]).
    public static func suppressLeak(weights: Tensor, denoised: Tensor, bootstrap: Tensor) -> Tensor {
        let channels = denoised.shape[1]
        let distance = (denoised - bootstrap).squared().summed(alongDimension: 1) / Float(channels)
        let factor = (distance / leakSensitivity).sigmoid().affine(scale: 2, shift: -1)
        return weights * factor
    }

    /// Masked aggregation (§4 step 6): adds `Σ_r w_r z_r` to `value` [1, C, H, W] and `Σ_r w_r`
    /// to `count` [1, 1, H, W] inside `region`, brushes in order, with `w_r = m_r * viewWeights`
    /// (`m` [R, 1, h, w]; `viewWeights` [1, 1, h, w], or nil for weight 1).
    public static func accumulate(value: inout Tensor, count: inout Tensor, denoised: Tensor, masks: Tensor,
                                  viewWeights: Tensor?, region: SpatialRegion) {
        for row in 0..<denoised.shape[0] {
            let mask = masks.slice(outer: row, length: 1)
            let weight = viewWeights.map { mask * $0 } ?? mask
            count = count.addingPatch(weight, at: region)
            value = value.addingPatch(weight * denoised.slice(outer: row, length: 1), at: region)
        }
    }

    /// `value / count` where `count > 0`, `value` elsewhere (§4: latent = value / count).
    public static func average(value: Tensor, count: Tensor) -> Tensor {
        value.dividedWherePositive(by: count)
    }

    /// Background fill (§4): the uncovered weight `u = clamp(1 - count, 0, 1)` takes the
    /// background, `(1 - u) * averaged + u * fill`; `fill` is the background latent where the
    /// slot's denoised latent lives (the scheduler's ``DiffusionScheduler/backgroundFill``).
    public static func fillBackground(averaged: Tensor, count: Tensor, fill: Tensor) -> Tensor {
        let uncovered = (1 - count).clamped(0, 1)
        return (1 - uncovered) * averaged + uncovered * fill
    }

    /// Classifier-free guidance: `u + g (c - u)` for a prediction whose first half of rows is
    /// unconditional and second half conditional; with `rescale` > 0, guidance rescaling
    /// (§3; Lin et al. 2023, as diffusers' `rescale_noise_cfg`, which the SDXL pipelines apply
    /// with 0.7): per sample, `x = rescale * x * std(c) / std(x) + (1 - rescale) * x`, the
    /// standard deviations over each sample's elements with Bessel's correction (torch's `std`).
    public static func guided(_ prediction: Tensor, scale: Float, rescale: Float = 0) -> Tensor {
        let rows = prediction.shape[0] / 2
        let unconditional = prediction.slice(outer: 0, length: rows)
        let conditional = prediction.slice(outer: rows, length: rows)
        let guided = unconditional + (conditional - unconditional) * scale
        guard rescale > 0 else { return guided }
        let rescaled = guided * (conditional.sampleStandardDeviations() / guided.sampleStandardDeviations())
        return rescaled * rescale + guided * (1 - rescale)
    }
}
