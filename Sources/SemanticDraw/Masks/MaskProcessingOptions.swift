/// Per-brush settings for mask preprocessing (docs/ALGORITHM.md §2).
///
/// Every array holds one entry per brush, in brush order (later brushes cover earlier ones).
public struct MaskProcessingOptions: Sendable, Equatable {
    /// Gaussian blur standard deviation per brush, in image pixels; `<= 0` means no blur.
    /// Defaults: 1.0 for one-shot generation, 8.0 in the live stream. Negative values are rejected.
    public var blurStandardDeviations: [Double]
    /// Mask alpha ("mask strength") per brush, in `0...1`; default 1.0.
    public var alphas: [Float]
    /// How the blurred masks are quantised against the slot noise levels.
    public var quantization: MaskQuantization
    /// Factor applied to a brush wherever any later brush is non-zero (default 0.3).
    public var coverFactor: Double

    /// Options with explicit per-brush values.
    public init(blurStandardDeviations: [Double], alphas: [Float], quantization: MaskQuantization, coverFactor: Double = 0.3) {
        self.blurStandardDeviations = blurStandardDeviations
        self.alphas = alphas
        self.quantization = quantization
        self.coverFactor = coverFactor
    }

    /// The one-shot defaults for `brushCount` brushes: blur std 1.0 px, alpha 1.0, discrete.
    public static func oneShot(brushCount: Int) -> MaskProcessingOptions {
        MaskProcessingOptions(blurStandardDeviations: Array(repeating: 1.0, count: max(0, brushCount)),
                              alphas: Array(repeating: 1.0, count: max(0, brushCount)), quantization: .discrete)
    }

    /// The live-stream defaults for `brushCount` brushes: blur std 8.0 px, alpha 1.0, continuous.
    public static func stream(brushCount: Int) -> MaskProcessingOptions {
        MaskProcessingOptions(blurStandardDeviations: Array(repeating: 8.0, count: max(0, brushCount)),
                              alphas: Array(repeating: 1.0, count: max(0, brushCount)), quantization: .continuous)
    }
}
