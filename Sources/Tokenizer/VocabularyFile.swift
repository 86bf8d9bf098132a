import Foundation

/// Reads `vocab.json`: one JSON object of token string -> id. A small strict parser instead of
/// JSONSerialization: later duplicate keys win (as in Python's `json`), errors name the
/// offending key and line, and the 49,408 CLIP entries load in tens of milliseconds even in
/// debug builds.
enum VocabularyFile {
    /// The vocabulary in the file at `path`.
    static func read(_ path: String) throws(TokenizerError) -> Vocabulary {
        let data = try TokenizerFolder.contents(of: path)
        let result = data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Result<Vocabulary, TokenizerError> in
            var parser = Parser(bytes: buffer.bindMemory(to: UInt8.self), file: path)
            return Result { () throws(TokenizerError) in try parser.parseObject() }
        }
        return try result.get()
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        let file: String
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
            self.bytes = bytes
            self.file = file
        }

        mutating func parseObject() throws(TokenizerError) -> Vocabulary {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else {
                let byteOrderMark = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
                throw failure(byteOrderMark ? "the file starts with a UTF-8 byte order mark; remove it" : "the file does not start with '{'")
            }
            position += 1
            var vocabulary = Vocabulary(capacity: bytes.count / 16)
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
            } else {
                while true {
                    skipWhitespace()
                    let token = try parseString()
                    skipWhitespace()
                    try expect(UInt8(ascii: ":"), "after key \(describe(token))")
                    skipWhitespace()
                    let id = try parseId(for: token)
                    vocabulary.insert(token, id: id)
                    skipWhitespace()
                    guard position < bytes.count else { throw failure("the object is not closed (file truncated?)") }
                    if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                    if bytes[position] == UInt8(ascii: "}") { position += 1; break }
                    throw failure("expected ',' or '}' after the entry for \(describe(token))")
                }
            }
            skipWhitespace()
            guard position == bytes.count else { throw failure("unexpected text after the closing '}'") }
            return vocabulary
        }

        private mutating func parseString() throws(TokenizerError) -> String {
            try expect(UInt8(ascii: "\""), "at the start of a key")
            let start = position
            // Fast path: no escapes.
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let token = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                    position += 1
                    return token
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw failure("control character in a string") }
                position += 1
            }
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self).unicodeScalars)
            var chunkStart = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[chunkStart..<position]), as: UTF8.self).unicodeScalars)
                    position += 1
                    return String(scalars)
                }
                if byte < 0x20 { throw failure("control character in a string") }
                if byte != UInt8(ascii: "\\") { position += 1; continue }
                scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[chunkStart..<position]), as: UTF8.self).unicodeScalars)
                position += 1
                guard position < bytes.count else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    let unit = try parseHex4()
                    if (0xD800..<0xDC00).contains(unit) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw failure("lone surrogate \\u\(String(unit, radix: 16)) in a string")
                        }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("invalid surrogate pair in a string") }
                        let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        guard let scalar = Unicode.Scalar(value) else { throw failure("invalid \\u escape") }
                        scalars.append(scalar)
                    } else {
                        guard let scalar = Unicode.Scalar(unit) else { throw failure("lone surrogate \\u\(String(unit, radix: 16)) in a string") }
                        scalars.append(scalar)
                    }
                default:
                    throw failure("invalid escape '\\\(Character(Unicode.Scalar(escape)))' in a string")
                }
                chunkStart = position
            }
            throw failure("a string is not closed (file truncated?)")
        }

        private mutating func parseHex4() throws(TokenizerError) -> UInt32 {
            guard position + 4 <= bytes.count else { throw failure("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw failure("invalid \\u escape")
                }
                value = value * 16 + digit
                position += 1
            }
            return value
        }

        /// A non-negative integer that fits tokenizers' u32 ids.
        private mutating func parseId(for token: String) throws(TokenizerError) -> Int {
            let start = position
            var value = 0
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
                position += 1
                if value > Int(UInt32.max) { break }
            }
            let isDelimiter = position >= bytes.count || bytes[position] == UInt8(ascii: ",") || bytes[position] == UInt8(ascii: "}")
                || Self.isWhitespace(bytes[position])
            let leadingZero = position - start > 1 && bytes[start] == UInt8(ascii: "0")
            guard position > start, isDelimiter, !leadingZero, value <= Int(UInt32.max) else {
                var end = start
                while end < bytes.count, end - start < 40, bytes[end] != UInt8(ascii: ","), bytes[end] != UInt8(ascii: "}"), bytes[end] != 0x0A {
                    end += 1
                }
                let found = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self).trimmingCharacters(in: .whitespaces)
                position = start
                throw failure("the id of \(describe(token)) is \(found.isEmpty ? "missing" : found), not a non-negative integer")
            }
            return value
        }

        private mutating func expect(_ byte: UInt8, _ context: String) throws(TokenizerError) {
            guard position < bytes.count, bytes[position] == byte else {
                throw failure("expected '\(Character(Unicode.Scalar(byte)))' \(context)")
            }
            position += 1
        }

        private mutating func skipWhitespace() {
            while position < bytes.count, Self.isWhitespace(bytes[position]) { position += 1 }
        }

        private static func isWhitespace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
        }

        private func describe(_ token: String) -> String {
            "\"" + token.unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "\""
        }

        /// An error naming the file, the line and the column (in bytes) of the current position.
        private func failure(_ reason: String) -> TokenizerError {
            var line = 1, lineStart = 0
            for index in 0..<min(position, bytes.count) where bytes[index] == 0x0A {
                line += 1
                lineStart = index + 1
            }
            return .malformedVocabulary(file: file, reason: "\(reason) (line \(line), column \(position - lineStart + 1))")
        }
    }
}
