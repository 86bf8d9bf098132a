import Foundation
import ImageCodecs
import Testing

/// PNG encode/decode through libpng 1.6 (the system's libpng16): our own files round-trip
/// exactly, and files with layouts we never write (made byte by byte by `HandMadePNG`) decode
/// to the documented channel layout.
@Suite struct PNGRoundTripTests {
    static func randomImage(width: Int, height: Int, channels: Int, seed: UInt64) throws -> Image {
        var state = seed
        let pixels = (0..<(width * height * channels)).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return try Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    @Test(arguments: [1, 3, 4]) func roundTripsEveryLayout(channels: Int) throws {
        let image = try Self.randomImage(width: 37, height: 19, channels: channels, seed: UInt64(channels))
        let data = try PNG.encode(image)
        #expect(data.prefix(8).elementsEqual(PNG.signature))
        let chunks = try PNGChunk.parse(data) // checks every CRC
        #expect(chunks.first?.type == "IHDR")
        #expect(chunks.last?.type == "IEND")
        let decoded = try PNG.decode(data: data)
        #expect(decoded == image)
    }

    @Test func writesAndReadsFilesAtomically() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("image-codecs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("picture.png").path
        let first = try Self.randomImage(width: 8, height: 8, channels: 3, seed: 1)
        let second = try Self.randomImage(width: 5, height: 3, channels: 4, seed: 2)
        try PNG.write(first, to: path)
        try PNG.write(second, to: path, textChunks: ["note": "replaced"])
        #expect(try PNG.read(path: path) == second)
        #expect(try PNG.textChunks(path: path) == ["note": "replaced"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["picture.png"], "no temporary file is left")
    }

    @Test func decodesGreyAlphaAsRGBA() throws {
        let data = HandMadePNG.file(width: 2, height: 1, bitDepth: 8, colorType: 4, rows: [[10, 200, 250, 0]])
        let image = try PNG.decode(data: data)
        #expect(image.channels == 4)
        #expect(image.pixels == [10, 10, 10, 200, 250, 250, 250, 0])
        #expect(image.alpha() == [200, 0])
    }

    @Test func expandsPalettes() throws {
        let palette = HandMadePNG.chunk("PLTE", [255, 0, 0, 0, 255, 0, 0, 0, 255])
        let opaque = HandMadePNG.file(width: 3, height: 1, bitDepth: 8, colorType: 3, rows: [[2, 1, 0]], extraChunks: [palette])
        let rgb = try PNG.decode(data: opaque)
        #expect(rgb.channels == 3)
        #expect(rgb.pixels == [0, 0, 255, 0, 255, 0, 255, 0, 0])

        let transparency = HandMadePNG.chunk("tRNS", [255, 128])
        let translucent = HandMadePNG.file(width: 3, height: 1, bitDepth: 8, colorType: 3, rows: [[2, 1, 0]],
                                           extraChunks: [palette, transparency])
        let rgba = try PNG.decode(data: translucent)
        #expect(rgba.channels == 4)
        #expect(rgba.pixels == [0, 0, 255, 255, 0, 255, 0, 128, 255, 0, 0, 255])
    }

    @Test func reducesSixteenBitToEightBit() throws {
        // Samples 257 * k are exactly k in 8 bits.
        let samples: [UInt16] = [0, 257 * 1, 257 * 128, 257 * 254, 65535]
        let row = samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let data = HandMadePNG.file(width: samples.count, height: 1, bitDepth: 16, colorType: 0, rows: [row])
        let image = try PNG.decode(data: data)
        #expect(image.channels == 1)
        #expect(image.pixels == [0, 1, 128, 254, 255])
    }

    @Test func scalesLowBitDepthGrey() throws {
        // 2-bit grey: 0, 1, 2, 3 -> 0, 85, 170, 255.
        let data = HandMadePNG.file(width: 4, height: 1, bitDepth: 2, colorType: 0, rows: [[0b0001_1011]])
        #expect(try PNG.decode(data: data).pixels == [0, 85, 170, 255])
    }
}

extension PNGRoundTripTests {
    @Test func ignoresGammaLikePillow() throws {
        // gAMA 1.0 (linear): libpng's simplified API would convert 128 to about 188 (sRGB);
        // Pillow returns the stored sample, and so do we.
        let gamma = HandMadePNG.chunk("gAMA", HandMadePNG.bigEndian(100_000))
        let chromaticities = HandMadePNG.chunk("cHRM", (0..<8).flatMap { _ in HandMadePNG.bigEndian(30_000) })
        let data = HandMadePNG.file(width: 3, height: 1, bitDepth: 8, colorType: 2, rows: [[128, 64, 32, 0, 255, 1, 200, 100, 50]],
                                    extraChunks: [gamma, chromaticities])
        #expect(try PNG.decode(data: data).pixels == [128, 64, 32, 0, 255, 1, 200, 100, 50])
    }
}

@Suite struct PNGSizeTests {
    @Test func headerSizeWithoutDecoding() throws {
        let png = try PNG.encode(Image(width: 7, height: 3, channels: 1, repeating: 9))
        #expect(PNG.size(of: png)?.width == 7 && PNG.size(of: png)?.height == 3)
        #expect(PNG.size(of: Data("not a png at all, not a png at all".utf8)) == nil)
        #expect(PNG.size(of: png.prefix(20)) == nil)
    }
}
