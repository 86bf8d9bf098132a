/// The byte-level vocabulary of the tiny-random CLIP tokenizer: the 256 symbols of GPT-2's
/// `bytes_to_unicode` alphabet (ids 0-255), the same with `</w>` (256-511), then
/// `<|startoftext|>` (512) and `<|endoftext|>` (513). This is the order of the first 512 ids of
/// OpenAI CLIP's own vocabulary. With no merges every UTF-8 byte of a word is one token, so no
/// text is ever unknown.
public enum TinyRandomVocabulary {
    /// 514 entries.
    public static let size = 514
    /// `<|startoftext|>`'s id.
    public static let startTokenId = 512
    /// `<|endoftext|>`'s id (also the padding and unknown token, and the text encoder's `eos_token_id`).
    public static let endTokenId = 513

    /// The tokens by id.
    public static let tokens: [String] = {
        let symbols = byteSymbols
        return symbols + symbols.map { $0 + "</w>" } + ["<|startoftext|>", "<|endoftext|>"]
    }()

    /// GPT-2's `bytes_to_unicode()` values in its dictionary order: bytes `!`...`~`, `¡`...`¬`,
    /// `®`...`ÿ` as themselves (188 symbols), then the other 68 bytes in byte order as U+0100,
    /// U+0101, ...
    static let byteSymbols: [String] = {
        var printable: [String] = [], others: [String] = []
        var next: UInt32 = 256
        for byte in 0..<256 {
            if (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte) {
                printable.append(String(Unicode.Scalar(UInt8(byte))))
            } else {
                // 256 + at most 68: always a valid scalar.
                others.append(Unicode.Scalar(next).map { String($0) } ?? "?")
                next += 1
            }
        }
        return printable + others
    }()

    /// `vocab.json`: one entry per line in id order, UTF-8, `"` and `\` escaped.
    static func vocabularyJSON() -> String {
        let entries = tokens.enumerated().map { id, token -> String in
            var escaped = ""
            for character in token {
                switch character {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                default: escaped.append(character)
                }
            }
            return "  \"\(escaped)\": \(id)"
        }
        return "{\n" + entries.joined(separator: ",\n") + "\n}\n"
    }
}
