/// GPT-2's `bytes_to_unicode` table, which tokenizers' `ByteLevel` pre-tokeniser uses: every
/// byte becomes one printable character so that BPE works on strings. Bytes `!`...`~`, `¡`...`¬`
/// and `®`...`ÿ` stand for themselves; the other 68 bytes (controls, space, U+007F-U+00A0,
/// U+00AD) become U+0100, U+0101, ... in byte order (space is `Ġ`, U+0120).
enum ByteLevelAlphabet {
    /// The character of each byte.
    static let characters: [Character] = {
        var table = [Character](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Character(Unicode.Scalar(UInt8(byte)))
            } else {
                // 256 + at most 68: always a valid scalar.
                table[byte] = Character(Unicode.Scalar(next) ?? "?")
                next += 1
            }
        }
        return table
    }()

    /// The UTF-8 bytes of `scalars[range]`.
    static func utf8Bytes(_ scalars: [Unicode.Scalar], in range: Range<Int>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count)
        for index in range {
            UTF8.encode(scalars[index]) { bytes.append($0) }
        }
        return bytes
    }

    /// Byte of each alphabet character, by scalar value (the inverse of ``characters``).
    static let bytesByScalar: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for (byte, character) in characters.enumerated() {
            if let scalar = character.unicodeScalars.first { table[scalar.value] = UInt8(byte) }
        }
        return table
    }()

    /// Appends the bytes `token` stands for, as tokenizers' `ByteLevel` decoder does: each
    /// character's byte when every character is in the alphabet, else the token's own UTF-8.
    static func appendBytes(of token: String, to bytes: inout [UInt8]) {
        let start = bytes.count
        for scalar in token.unicodeScalars {
            guard let byte = bytesByScalar[scalar.value] else {
                bytes.removeSubrange(start...)
                bytes.append(contentsOf: Array(token.utf8))
                return
            }
            bytes.append(byte)
        }
    }
}
