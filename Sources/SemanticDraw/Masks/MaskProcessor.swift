import TensorRuntime

/// SemanticDraw's mask preprocessing (docs/ALGORITHM.md §2): brush masks at image size in, per-slot
/// latent masks and background weights out.
///
/// Steps: (1) bilinear resize to H x W, (2) cover: brushes multiplied by the cover factor where
/// any later brush is > 0, (3) Gaussian blur (kernel side 2*ceil(3*std)+1, replicate padding),
/// (4) mask alpha, (5) quantisation against the noise levels, (6) nearest downsampling to
/// H/8 x W/8 (latent pixel (i, j) reads image pixel (8i, 8j)).
///
/// Two entry points serve the live stream: ``latentMasks(masks:height:width:noiseLevels:options:)``
/// evaluates the blur only at the latent sample points (milliseconds; call it on every brush
/// stroke), and ``blurredMasks(masks:height:width:options:)`` computes the full-resolution blurred
/// masks needed only for the final pixel blend. The two agree exactly at the sample points.
public enum MaskProcessor {
    /// The latent downsampling factor.
    public static let latentScale = 8

    /// Per-slot latent masks, evaluating cover and blur only where the latent samples them.
    ///
    /// - Parameters:
    ///   - masks: one `[H', W']` mask per brush, values in `0...1` (1 = inside); masks of
    ///     another size are resized bilinearly to `height` x `width`.
    ///   - height: image height H, a multiple of 8.
    ///   - width: image width W, a multiple of 8.
    ///   - noiseLevels: the schedule's noise levels b_0 > ... > b_{T-1}, one per slot.
    ///   - options: per-brush blur and alpha, quantisation mode and cover factor.
    /// - Returns: masks `[P, T, 1, H/8, W/8]` and background weights `[T, 1, H/8, W/8]`.
    public static func latentMasks(masks: [Tensor], height: Int, width: Int, noiseLevels: [Float],
                                   options: MaskProcessingOptions) throws -> ProcessedMasks {
        try validate(noiseLevels: noiseLevels)
        let resized = try prepare(masks: masks, height: height, width: width, options: options)
        let samples = Tensor.coveredBlurredMasks(resized, standardDeviations: options.blurStandardDeviations,
                                                 coverFactor: options.coverFactor, sampleStride: latentScale)
        return quantize(samples, noiseLevels: noiseLevels, options: options)
    }

    /// The covered, blurred masks at full resolution, `[P, H, W]` (steps 1-3, no alpha), for the
    /// final pixel blend alpha = clamp(sum_p blurred_p, 0, 1).
    ///
    /// Parameters as in ``latentMasks(masks:height:width:noiseLevels:options:)``; the noise levels
    /// and quantisation mode are not used.
    public static func blurredMasks(masks: [Tensor], height: Int, width: Int,
                                    options: MaskProcessingOptions) throws -> Tensor {
        let resized = try prepare(masks: masks, height: height, width: width, options: options)
        return Tensor.coveredBlurredMasks(resized, standardDeviations: options.blurStandardDeviations, coverFactor: options.coverFactor)
    }

    /// Per-slot latent masks from already blurred full-resolution masks `[P, H, W]` (the output
    /// of ``blurredMasks(masks:height:width:options:)``): steps 4-6 only.
    ///
    /// Only `options.alphas` and `options.quantization` are used. Equal, element for element, to
    /// ``latentMasks(masks:height:width:noiseLevels:options:)`` on the same masks. `scaleFactor`
    /// is the autoencoder's downsampling (8 for Stable Diffusion; the tiny test VAEs use 4).
    public static func latentMasks(blurredMasks: Tensor, noiseLevels: [Float], options: MaskProcessingOptions,
                                   scaleFactor: Int = latentScale) throws -> ProcessedMasks {
        let shape = blurredMasks.shape
        guard shape.count == 3, shape[0] > 0, shape[1] > 0, shape[2] > 0,
              scaleFactor > 0, shape[1] % scaleFactor == 0, shape[2] % scaleFactor == 0 else {
            throw MaskProcessingError.blurredMasksShape(shape)
        }
        try validate(noiseLevels: noiseLevels)
        try validate(alphas: options.alphas, brushCount: shape[0])
        return quantize(blurredMasks.subsampled(stride: scaleFactor), noiseLevels: noiseLevels, options: options)
    }

    /// Steps 4-5 on sampled blurred values [P, h, w] and the background weights per slot,
    /// clamp(1 - sum_p m_p, 0, 1) (brushes summed in order).
    static func quantize(_ samples: Tensor, noiseLevels: [Float], options: MaskProcessingOptions) -> ProcessedMasks {
        let mode: LevelQuantization = options.quantization == .discrete ? .step : .ramp
        let latent = samples.quantized(againstLevels: noiseLevels, alphas: options.alphas, mode: mode)
        let shape = latent.shape
        let background = (1 - latent.summed(alongDimension: 0)).clamped(0, 1).reshaped([shape[1], 1, shape[3], shape[4]])
        return ProcessedMasks(latent: latent, background: background)
    }
}
