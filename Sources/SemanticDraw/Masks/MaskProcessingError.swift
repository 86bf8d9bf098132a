/// Why mask preprocessing rejected its input; each case names the offending value.
public enum MaskProcessingError: Error, Equatable, CustomStringConvertible {
    /// No brush masks were given.
    case noMasks
    /// The image size is not a positive multiple of 8 (the latent is H/8 x W/8).
    case imageSizeNotMultipleOfEight(height: Int, width: Int)
    /// A per-brush option array has a different length than the mask list.
    case optionCountMismatch(option: String, count: Int, brushCount: Int)
    /// A mask is not a non-empty two-dimensional `[H, W]` tensor.
    case maskNotTwoDimensional(brush: Int, shape: [Int])
    /// A mask element lies outside `0...1` (or is NaN).
    case maskValueOutOfRange(brush: Int, value: Float)
    /// A blur standard deviation is negative or not finite.
    case invalidBlurStandardDeviation(brush: Int, value: Double)
    /// A mask alpha lies outside `0...1`.
    case alphaOutOfRange(brush: Int, value: Float)
    /// The cover factor lies outside `0...1`.
    case coverFactorOutOfRange(Double)
    /// The noise-level list is empty.
    case noNoiseLevels
    /// The noise levels are not finite, strictly decreasing and in `(0, 1]`.
    case invalidNoiseLevels([Float])
    /// The blurred-mask tensor handed to ``MaskProcessor/latentMasks(blurredMasks:noiseLevels:options:)`` is not `[P, H, W]`.
    case blurredMasksShape([Int])

    public var description: String {
        switch self {
        case .noMasks:
            return "no brush masks were given; pass at least one [H, W] mask"
        case let .imageSizeNotMultipleOfEight(height, width):
            return "image size \(height) x \(width) is not a positive multiple of 8 in both dimensions"
        case let .optionCountMismatch(option, count, brushCount):
            return "\(option) has \(count) entries but there are \(brushCount) brush masks; give one per brush"
        case let .maskNotTwoDimensional(brush, shape):
            return "mask of brush \(brush) has shape \(shape); expected a non-empty [H, W] tensor"
        case let .maskValueOutOfRange(brush, value):
            return "mask of brush \(brush) contains \(value); masks must lie in 0...1 (1 = inside; divide 0...255 data by 255)"
        case let .invalidBlurStandardDeviation(brush, value):
            return "blur standard deviation \(value) of brush \(brush) is negative or not finite; use 0 for no blur"
        case let .alphaOutOfRange(brush, value):
            return "mask alpha \(value) of brush \(brush) is outside 0...1"
        case let .coverFactorOutOfRange(value):
            return "cover factor \(value) is outside 0...1"
        case .noNoiseLevels:
            return "no noise levels were given; pass the schedule's b_t, one per slot"
        case let .invalidNoiseLevels(levels):
            return "noise levels \(levels) must be finite, in (0, 1] and strictly decreasing"
        case let .blurredMasksShape(shape):
            return "blurred masks have shape \(shape); expected [P, H, W] with H and W multiples of 8"
        }
    }
}
