import Foundation
import ImageCodecs

/// Small greyscale PNGs for the targets' fixed files.
enum PNGMaskSeed {
    static func png(width: Int, height: Int, value: UInt8) throws -> Data {
        try PNG.encode(Image(width: width, height: height, channels: 1, repeating: value))
    }
}
