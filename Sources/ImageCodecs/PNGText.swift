import Foundation

/// One text chunk to write into a PNG: a keyword, its text and how the text is stored.
public struct PNGText: Sendable, Equatable {
    /// How the text is stored.
    public enum Storage: Sendable, Equatable {
        /// `iTXt`, UTF-8, uncompressed (any text).
        case international
        /// `tEXt` when the text is Latin-1 without NUL characters, else `iTXt`: what Pillow's
        /// `PngInfo.add_text` writes, so readers that look only at `tEXt` (or expect what
        /// A1111 writes for `parameters`) find it.
        case latin1WhenPossible
    }

    /// 1 to 79 printable Latin-1 characters without leading, trailing or doubled spaces.
    public var keyword: String
    public var text: String
    public var storage: Storage

    public init(keyword: String, text: String, storage: Storage = .international) {
        self.keyword = keyword
        self.text = text
        self.storage = storage
    }

    /// The chunk (length, type, data, CRC).
    func encodedChunk() throws -> Data {
        if storage == .latin1WhenPossible, !text.contains("\0"), let latin1 = text.data(using: .isoLatin1, allowLossyConversion: false) {
            return try PNGTextChunk.textChunk(keyword: keyword, latin1Text: latin1)
        }
        return try PNGTextChunk.internationalTextChunk(keyword: keyword, text: text)
    }
}
