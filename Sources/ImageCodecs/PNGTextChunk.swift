import Foundation

/// The PNG text chunks: `tEXt` (Latin-1), `zTXt` (compressed Latin-1) and `iTXt` (UTF-8,
/// optionally compressed, with a language tag and a translated keyword, which are ignored here).
enum PNGTextChunk {
    /// The `iTXt` chunk (length, type, data, CRC) holding `text` under `keyword`, uncompressed,
    /// with an empty language tag and translated keyword.
    static func internationalTextChunk(keyword: String, text: String) throws -> Data {
        var data = try keywordBytes(keyword)
        data.append(contentsOf: [0, 0, 0, 0, 0]) // end of keyword, not compressed, method 0, no language, no translation
        data.append(Data(text.utf8))
        return PNGChunk(type: "iTXt", data: data).encoded
    }

    /// The `tEXt` chunk holding the Latin-1 bytes `latin1Text` under `keyword`.
    static func textChunk(keyword: String, latin1Text: Data) throws -> Data {
        var data = try keywordBytes(keyword)
        data.append(0)
        data.append(latin1Text)
        return PNGChunk(type: "tEXt", data: data).encoded
    }

    /// The keyword's Latin-1 bytes after checking the PNG rules (1 to 79 printable Latin-1
    /// characters, no leading, trailing or consecutive spaces).
    static func keywordBytes(_ keyword: String) throws -> Data {
        guard let bytes = keyword.data(using: .isoLatin1), (1...79).contains(bytes.count) else {
            throw ImageCodecError.invalidTextKeyword(keyword: keyword, reason: "a keyword is 1 to 79 Latin-1 characters")
        }
        guard bytes.allSatisfy({ (32...126).contains($0) || $0 >= 161 }) else {
            throw ImageCodecError.invalidTextKeyword(keyword: keyword, reason: "a keyword holds printable characters only")
        }
        guard bytes.first != 32, bytes.last != 32, !keyword.contains("  ") else {
            throw ImageCodecError.invalidTextKeyword(keyword: keyword, reason: "a keyword has no leading, trailing or consecutive spaces")
        }
        return bytes
    }

    /// The keyword and text of a text chunk, or nil for other chunk types.
    static func decode(_ chunk: PNGChunk, source: String) throws -> (keyword: String, text: String)? {
        guard ["tEXt", "zTXt", "iTXt"].contains(chunk.type) else { return nil }
        let bytes = [UInt8](chunk.data)
        func corrupt(_ reason: String) -> ImageCodecError {
            .corrupt(source: source, reason: "a \(chunk.type) chunk \(reason)")
        }
        guard let keywordEnd = bytes.firstIndex(of: 0), keywordEnd > 0 else { throw corrupt("has no keyword") }
        let keyword = latin1String(bytes[0..<keywordEnd])
        var rest = bytes[(keywordEnd + 1)...]
        switch chunk.type {
        case "tEXt":
            return (keyword, latin1String(rest))
        case "zTXt":
            guard rest.first == 0 else { throw corrupt("(\(keyword)) has an unknown compression method") }
            let inflated = try inflate(Data(rest.dropFirst()), keyword: keyword, corrupt: corrupt)
            return (keyword, latin1String(inflated))
        default:
            guard rest.count >= 2 else { throw corrupt("(\(keyword)) is truncated") }
            let compressed = rest[rest.startIndex] != 0
            rest = rest.dropFirst(2)
            // Language tag, then translated keyword, each ended by a zero byte.
            for _ in 0..<2 {
                guard let end = rest.firstIndex(of: 0) else { throw corrupt("(\(keyword)) is truncated") }
                rest = rest[(end + 1)...]
            }
            let textBytes = compressed ? try inflate(Data(rest), keyword: keyword, corrupt: corrupt) : Data(rest)
            guard let text = String(data: textBytes, encoding: .utf8) else { throw corrupt("(\(keyword)) holds invalid UTF-8") }
            return (keyword, text)
        }
    }

    private static func inflate(_ data: Data, keyword: String, corrupt: (String) -> ImageCodecError) throws -> Data {
        switch ZlibInflater.inflate(data) {
        case .success(let inflated): return inflated
        case .failure(let failure): throw corrupt("(\(keyword)): \(failure)")
        }
    }

    /// Latin-1 bytes as a string (every byte is the code point of the same value).
    private static func latin1String<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return String(scalars)
    }
}
