import TensorRuntime

/// The stream's per-region slot masks (docs/ALGORITHM.md §2 with the stream's continuous
/// quantisation by default): the fast path of every brush stroke, evaluating cover and blur only
/// at the latent sample points (``MaskProcessor/latentMasks(masks:height:width:noiseLevels:options:)``),
/// with no text encoding.
enum StreamRegionMasks {
    /// Masks [R, T, 1, h, w] for the regions in order: in case (c) region 0 is the background,
    /// clamp(1 - Σ_p m_p, 0, 1) per slot, then the brushes; nil when there is no region.
    static func masks(brushes: [StreamBrush], generatesBackground: Bool, settings: StreamSettings,
                      noiseLevels: [Float], scaleFactor: Int) throws -> Tensor? {
        let height = settings.height, width = settings.width
        let latentHeight = height / scaleFactor, latentWidth = width / scaleFactor, slotCount = noiseLevels.count
        guard !brushes.isEmpty else {
            return generatesBackground ? Tensor(shape: [1, slotCount, 1, latentHeight, latentWidth], repeating: 1) : nil
        }
        let masks = brushes.map { $0.mask ?? Tensor.zeros([height, width]) }
        let options = MaskProcessingOptions(blurStandardDeviations: brushes.map(\.maskBlur), alphas: brushes.map(\.maskAlpha),
                                            quantization: settings.quantization, coverFactor: settings.coverFactor)
        let processed: ProcessedMasks
        do {
            if scaleFactor == MaskProcessor.latentScale {
                processed = try MaskProcessor.latentMasks(masks: masks, height: height, width: width,
                                                          noiseLevels: noiseLevels, options: options)
            } else {
                // Autoencoders with another factor (the tiny test VAEs): blur at full size, then sample.
                let blurred = try MaskProcessor.blurredMasks(masks: masks, height: height, width: width, options: options)
                processed = try MaskProcessor.latentMasks(blurredMasks: blurred, noiseLevels: noiseLevels,
                                                          options: options, scaleFactor: scaleFactor)
            }
        } catch let error as MaskProcessingError {
            throw StreamError.invalidMasks(brushIDs: brushes.map(\.id), reason: error.description)
        }
        guard generatesBackground else { return processed.latent }
        let background = processed.background.reshaped([1, slotCount, 1, latentHeight, latentWidth])
        return Tensor.concatenateOuter([background, processed.latent])
    }
}
