import Foundation
import ImageCodecs

/// PNG input (`PNG.decode`, `PNG.textChunks`, `PNG.size`): masks, background images and palettes
/// embedded in PNGs all arrive this way. A decoded image must survive an encode/decode round trip.
enum PNGFuzz {
    /// Headers declaring more than this per side are only sized, not decoded, as the server refuses
    /// them before decoding (`ServerLimits.imageSide`); decoding 2^30 samples per input would only
    /// measure the allocator.
    static let decodedSide = 2048

    static let target = FuzzTarget(name: "png", prepare: {}, run: { data in
        _ = try? PNG.textChunks(data: data)
        if let (width, height) = PNG.size(of: data), width > decodedSide || height > decodedSide { return }
        guard let image = try? PNG.decode(data: data) else { return }
        FuzzCheck.require([1, 3, 4].contains(image.channels), "decoded \(image.channels) channels")
        FuzzCheck.require(image.pixels.count == image.width * image.height * image.channels, "pixel count does not match the size")
        let again = (try? PNG.encode(image)).flatMap { try? PNG.decode(data: $0) }
        FuzzCheck.require(again == image, "a decoded \(image.width) x \(image.height) x \(image.channels) image does not survive encode/decode")
    })
}
