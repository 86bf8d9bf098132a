import Foundation

extension PNG {
    /// The width and height a PNG's header (its IHDR chunk, which must come first) declares, read
    /// without decoding any pixels, so a caller can refuse an oversized image cheaply; nil when
    /// `data` does not start with a PNG signature and an IHDR chunk.
    public static func size(of data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, Array(bytes[0..<8]) == signature, bytes[12..<16].elementsEqual("IHDR".utf8) else { return nil }
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        return (width, height)
    }
}
