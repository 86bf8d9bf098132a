import TensorRuntime

extension MaskProcessor {
    /// Checks the masks and options, resizes the masks to `height` x `width` and builds the
    /// cover-and-blur evaluator shared by both entry points.
    static func prepare(masks: [Tensor], height: Int, width: Int,
                        options: MaskProcessingOptions) throws -> CoveredMaskBlur {
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
        // The first out-of-range value per brush, found concurrently.
        var firstBad = [Float?](repeating: nil, count: brushCount)
        firstBad.withUnsafeMutableBufferPointer { results in
            let results = results
            parallelFor(brushCount) { brush in
                let values = masks[brush].pointer
                for index in 0..<masks[brush].count where !(values[index] >= 0 && values[index] <= 1) {
                    results[brush] = values[index]
                    return
                }
            }
        }
        for (brush, value) in firstBad.enumerated() {
            if let value { throw MaskProcessingError.maskValueOutOfRange(brush: brush, value: value) }
        }
        let resized = masks.map { BilinearMaskResize.resize($0, height: height, width: width) }
        return CoveredMaskBlur(masks: resized, height: height, width: width,
                               standardDeviations: options.blurStandardDeviations, coverFactor: options.coverFactor)
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
