import Foundation
import ImageCodecs

/// PNG files built byte by byte, independently of libpng: chunks with their CRCs and zlib
/// streams made of stored (uncompressed) deflate blocks with an Adler-32 trailer (RFC 1950/1951).
/// They let the tests feed the decoder layouts our encoder never writes (grey + alpha, palette,
/// 16-bit) and text chunks written by "another tool".
enum HandMadePNG {
    /// A zlib stream holding `bytes` in stored deflate blocks.
    static func zlibStored(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, bytes.count - offset)
            let final: UInt8 = offset + length == bytes.count ? 1 : 0
            output.append(final)
            output += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            output += bytes[offset..<(offset + length)]
            offset += length
        } while offset < bytes.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let adler = b << 16 | a
        output += [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
        return output
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> Data {
        PNGChunk(type: type, data: Data(data)).encoded
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// A PNG with the given header fields and unfiltered rows (filter byte 0 is added), plus
    /// `extraChunks` placed before IDAT.
    static func file(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, rows: [[UInt8]],
                      extraChunks: [Data] = []) -> Data {
        var data = Data(PNG.signature)
        data += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [bitDepth, colorType, 0, 0, 0])
        for extra in extraChunks { data += extra }
        data += chunk("IDAT", zlibStored(rows.flatMap { [0] + $0 }))
        data += chunk("IEND", [])
        return data
    }
}
