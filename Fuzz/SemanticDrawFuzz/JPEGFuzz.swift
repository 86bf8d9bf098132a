import Foundation
import ImageCodecs

/// JPEG encoding of the stream's frames (`JPEG.encode`; the project decodes no JPEG): sizes,
/// channel counts, qualities and samples from the input. Output must be a whole JPEG stream.
enum JPEGFuzz {
    static let target = FuzzTarget(name: "jpeg", prepare: {}, run: { data in
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else { return }
        let width = 1 + Int(bytes[0]) % 96, height = 1 + Int(bytes[1]) % 96
        let channels = [1, 3, 4][Int(bytes[2]) % 3]
        let quality = Int(bytes[3]) - 20                     // -20 ... 235: out-of-range qualities too
        let samples = bytes.dropFirst(4)
        let count = width * height * channels
        let pixels = samples.isEmpty ? [UInt8](repeating: 0, count: count) : (0..<count).map { samples[samples.startIndex + $0 % samples.count] }
        guard let image = try? Image(width: width, height: height, channels: channels, pixels: pixels) else { return }
        do {
            let jpeg = [UInt8](try JPEG.encode(image, quality: quality))
            FuzzCheck.require(jpeg.starts(with: [0xFF, 0xD8]) && jpeg.suffix(2) == [0xFF, 0xD9], "not a whole JPEG stream")
        } catch {
            FuzzCheck.require(!(1...100).contains(quality), "quality \(quality) refused: \(error)")
        }
    })
}
