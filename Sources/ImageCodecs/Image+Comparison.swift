import Foundation

extension Image {
    /// The peak signal-to-noise ratio of this image against `reference`, in dB:
    /// 10 log10(255² / mean squared sample difference) over every sample; infinity when the two are
    /// equal. Used to state how far a bf16 image is from the float32 one.
    /// - Throws: ``ImageCodecError/invalidImage(reason:)`` when sizes or channel counts differ.
    public func peakSignalToNoiseRatio(against reference: Image) throws -> Double {
        guard width == reference.width, height == reference.height, channels == reference.channels else {
            throw ImageCodecError.invalidImage(
                reason: "cannot compare a \(width) x \(height) x \(channels) image with a \(reference.width) x \(reference.height) x \(reference.channels) one")
        }
        let squared = zip(pixels, reference.pixels).reduce(0.0) { sum, pair in
            let difference = Double(pair.0) - Double(pair.1)
            return sum + difference * difference
        }
        let mean = squared / Double(max(pixels.count, 1))
        return mean == 0 ? .infinity : 10 * log10(255 * 255 / mean)
    }
}
