import ImageCodecs

// transformers 5.24 `image_transforms.convert_to_rgb` on a PIL image: grey is replicated to RGB
// (`Image.convert("RGB")`), an image with alpha is composited onto opaque white with
// `Image.alpha_composite` (Pillow 13.0 src/libImaging/AlphaComposite.c, its 7-bit fixed point)
// and the alpha dropped.

/// An image's pixels as interleaved RGB, the way `BlipImageProcessorPil` converts them.
enum RGBConversion {
    /// Interleaved RGB samples (width x height x 3) of `image`.
    static func rgbPixels(of image: Image) -> [UInt8] {
        let count = image.width * image.height
        switch image.channels {
        case 3:
            return image.pixels
        case 1:
            var result = [UInt8](repeating: 0, count: count * 3)
            for index in 0..<count {
                let value = image.pixels[index]
                result[3 * index] = value
                result[3 * index + 1] = value
                result[3 * index + 2] = value
            }
            return result
        default:
            var result = [UInt8](repeating: 0, count: count * 3)
            for index in 0..<count {
                let alpha = UInt32(image.pixels[4 * index + 3])
                for channel in 0..<3 {
                    result[3 * index + channel] = compositeOnWhite(UInt32(image.pixels[4 * index + channel]), alpha: alpha)
                }
            }
            return result
        }
    }

    /// `ImagingAlphaComposite` of one source sample over an opaque white destination.
    static func compositeOnWhite(_ source: UInt32, alpha: UInt32) -> UInt8 {
        if alpha == 0 { return 255 }
        let precisionBits: UInt32 = 7
        let destinationAlpha: UInt32 = 255
        let destination: UInt32 = 255
        let blend = destinationAlpha * (255 - alpha)
        let outputAlpha255 = alpha * 255 + blend
        let sourceCoefficient = alpha * 255 * 255 * (1 << precisionBits) / outputAlpha255
        let destinationCoefficient = 255 * (1 << precisionBits) - sourceCoefficient
        let mixed = source * sourceCoefficient + destination * destinationCoefficient
        let rounded = mixed + (0x80 << precisionBits)
        // SHIFTFORDIV255(a) = ((a >> 8) + a) >> 8, then the precision shift.
        return UInt8(truncatingIfNeeded: (((rounded >> 8) + rounded) >> 8) >> precisionBits)
    }
}
