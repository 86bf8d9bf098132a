import Foundation

extension PNG {
    /// The text chunks (`tEXt`, `zTXt`, `iTXt`) of PNG bytes as keyword -> text: `tEXt` and
    /// `zTXt` text is Latin-1, `iTXt` text UTF-8 (compressed or not). When a keyword appears
    /// twice, the later chunk wins. Throws `ImageCodecError.corrupt` (naming `source`) when the
    /// chunk structure is broken (truncation, bad CRC) or a text chunk cannot be decoded.
    public static func textChunks(data: Data, source: String = "data") throws -> [String: String] {
        var result: [String: String] = [:]
        for chunk in try PNGChunk.parse(data, source: source) {
            if let (keyword, text) = try PNGTextChunk.decode(chunk, source: source) { result[keyword] = text }
        }
        return result
    }

    /// The text chunks of the PNG file at `path` (see `textChunks(data:source:)`).
    public static func textChunks(path: String) throws -> [String: String] {
        try textChunks(data: readFile(path: path), source: path)
    }
}
