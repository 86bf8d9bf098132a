import CJPEG
import Foundation

/// JPEG encoding through libjpeg(-turbo) (Debian `libjpeg-dev`): the live stream's frames.
public enum JPEG {
    /// Encodes a grey or RGB image (alpha is dropped) at `quality` 1...100.
    public static func encode(_ image: Image, quality: Int = 90) throws -> Data {
        guard (1...100).contains(quality) else {
            throw ImageCodecError.invalidImage(reason: "JPEG quality \(quality) is outside 1...100")
        }
        let source = image.channels == 4 || image.channels == 2 ? try image.droppingAlpha() : image
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = source.pixels.withUnsafeBufferPointer { samples in
            sd_jpeg_encode(samples.baseAddress, Int32(source.width), Int32(source.height), Int32(source.channels),
                           Int32(quality), &output, &size, &message, message.count)
        }
        guard status == 0, let output else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageCodecError.unsupported(source: "JPEG \(image.width) x \(image.height)", reason: reason)
        }
        defer { sd_jpeg_free(output) }
        return Data(bytes: output, count: Int(size))
    }
}

extension Image {
    /// The colour channels without alpha (RGBA to RGB).
    func droppingAlpha() throws -> Image {
        guard channels == 4 else { return self }
        var rgb = [UInt8]()
        rgb.reserveCapacity(width * height * 3)
        for pixel in 0..<(width * height) {
            rgb.append(pixels[pixel * 4])
            rgb.append(pixels[pixel * 4 + 1])
            rgb.append(pixels[pixel * 4 + 2])
        }
        return try Image(width: width, height: height, channels: 3, pixels: rgb)
    }
}
