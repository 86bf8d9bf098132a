import TensorRuntime

extension MaskProcessor {
    /// Checks the masks and options and resizes the masks to `height` x `width` (bilinear).
    static func prepare(masks: [Tensor], height: Int, width: Int, options: MaskProcessingOptions) throws -> [Tensor] {
        guard !masks.isEmpty else { throw MaskProcessingError.noMasks }
        guard height > 0, width > 0, height % latentScale == 0, width % latentScale == 0 else {
            throw MaskProcessingError.imageSizeNotMultipleOfEight(height: height, width: width)
        }
        let brushCount = masks.count
        guard options.blurStandardDeviations.count == brushCount else {
            throw MaskProcessingError.optionCountMismatch(option: "blurStandardDeviations",
                                                          count: options.blurStandardDeviations.count, brushCount: brushCount)
        }
        for (brush, deviation) in options.blurStandardDeviations.enumerated() where !(deviation.isFinite && deviation >= 0) {
            throw MaskProcessingError.invalidBlurStandardDeviation(brush: brush, value: deviation)
        }
        try validate(alphas: options.alphas, brushCount: brushCount)
        guard options.coverFactor >= 0 && options.coverFactor <= 1 else {
            throw MaskProcessingError.coverFactorOutOfRange(options.coverFactor)
        }
        for (brush, mask) in masks.enumerated() where mask.rank != 2 || mask.count == 0 {
            throw MaskProcessingError.maskNotTwoDimensional(brush: brush, shape: mask.shape)
        }
        for (brush, mask) in masks.enumerated() {
            if let value = mask.firstValue(outside: 0...1) { throw MaskProcessingError.maskValueOutOfRange(brush: brush, value: value) }
        }
        return masks.map { $0.resizedBilinear(height: height, width: width) }
    }

    static func validate(alphas: [Float], brushCount: Int) throws {
        guard alphas.count == brushCount else {
            throw MaskProcessingError.optionCountMismatch(option: "alphas", count: alphas.count, brushCount: brushCount)
        }
        for (brush, alpha) in alphas.enumerated() where !(alpha >= 0 && alpha <= 1) {
            throw MaskProcessingError.alphaOutOfRange(brush: brush, value: alpha)
        }
    }

    static func validate(noiseLevels: [Float]) throws {
        guard !noiseLevels.isEmpty else { throw MaskProcessingError.noNoiseLevels }
        let inRange = noiseLevels.allSatisfy { $0.isFinite && $0 > 0 && $0 <= 1 }
        let decreasing = zip(noiseLevels, noiseLevels.dropFirst()).allSatisfy { $0 > $1 }
        guard inRange && decreasing else { throw MaskProcessingError.invalidNoiseLevels(noiseLevels) }
    }
}
