import Foundation

/// One chunk of a PNG stream: its four-letter type and its data (length and CRC checked).
public struct PNGChunk: Sendable, Equatable {
    /// The chunk type, e.g. "IHDR", "iTXt".
    public let type: String
    /// The chunk's data bytes.
    public let data: Data

    /// A chunk of `type` (four ASCII letters) holding `data`.
    public init(type: String, data: Data) {
        self.type = type
        self.data = data
    }

    /// The chunks of a PNG stream, in file order, up to and including `IEND`. Throws
    /// `ImageCodecError.corrupt` (naming `source`) for a missing signature, a chunk that runs
    /// past the end, a bad CRC or a stream without `IEND`.
    public static func parse(_ bytes: Data, source: String = "data") throws -> [PNGChunk] {
        var chunks: [PNGChunk] = []
        try walk(bytes, source: source) { type, data, _ in chunks.append(PNGChunk(type: type, data: Data(data))) }
        return chunks
    }

    /// Checks the chunk structure of a PNG stream (see `parse`) without copying chunk data, and
    /// returns the byte ranges (length field to CRC) of the chunks whose type is in `types`.
    static func validate(_ bytes: Data, source: String, collecting types: Set<String> = []) throws -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        try walk(bytes, source: source) { type, _, range in
            if types.contains(type) { ranges.append(range) }
        }
        return ranges
    }

    /// Calls `visit` with each chunk's type, data and byte range in the stream (length field to
    /// CRC), checking lengths and CRCs.
    private static func walk(_ data: Data, source: String,
                             visit: (String, UnsafeRawBufferPointer, Range<Int>) throws -> Void) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws -> Void in
            guard bytes.count >= PNG.signature.count, bytes.prefix(PNG.signature.count).elementsEqual(PNG.signature) else {
                throw ImageCodecError.corrupt(source: source, reason: bytes.isEmpty ? "it is empty" : "it does not start with the PNG signature")
            }
            var offset = PNG.signature.count
            while true {
                guard bytes.count - offset >= 12 else {
                    throw ImageCodecError.corrupt(source: source, reason: "it ends after \(bytes.count) bytes, before the IEND chunk (truncated file?)")
                }
                let length = Int(readBigEndian(bytes, at: offset))
                guard length <= 0x7FFF_FFFF, bytes.count - offset - 12 >= length else {
                    throw ImageCodecError.corrupt(source: source, reason: "a chunk at byte \(offset) claims \(length) bytes, past the end of the file (truncated file?)")
                }
                let typeBytes = UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 8)])
                guard typeBytes.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) }) else {
                    throw ImageCodecError.corrupt(source: source, reason: "the chunk at byte \(offset) has an invalid type")
                }
                let type = String(decoding: typeBytes, as: UTF8.self)
                let dataRange = (offset + 8)..<(offset + 8 + length)
                let storedCRC = readBigEndian(bytes, at: dataRange.upperBound)
                guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<dataRange.upperBound])) == storedCRC else {
                    throw ImageCodecError.corrupt(source: source, reason: "the \(type) chunk at byte \(offset) has a bad CRC")
                }
                try visit(type, UnsafeRawBufferPointer(rebasing: bytes[dataRange]), offset..<(dataRange.upperBound + 4))
                offset = dataRange.upperBound + 4
                if type == "IEND" { return }
            }
        }
    }

    /// The chunk as it is stored: length, type, data, CRC.
    public var encoded: Data {
        var result = Data()
        Self.appendBigEndian(UInt32(data.count), to: &result)
        let typeAndData = Data(type.utf8) + data
        result.append(typeAndData)
        Self.appendBigEndian(CRC32.checksum(typeAndData), to: &result)
        return result
    }

    static func readBigEndian(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func appendBigEndian(_ value: UInt32, to data: inout Data) {
        data.append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }
}
