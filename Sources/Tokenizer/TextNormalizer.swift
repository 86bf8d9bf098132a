import Foundation

/// The normaliser of transformers' `CLIPTokenizer` (tokenizers `normalizers.Sequence`): Unicode
/// NFC, then every run of `\s` becomes one space, then lowercase. No ftfy, no HTML unescaping,
/// no stripping.
enum TextNormalizer {
    /// Normalises `text` and returns its Unicode scalars.
    static func normalize<Scalars: Sequence<Unicode.Scalar>>(_ scalars: Scalars) -> [Unicode.Scalar] {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return normalize(String(view))
    }

    /// Normalises `text` and returns its Unicode scalars.
    static func normalize(_ text: String) -> [Unicode.Scalar] {
        // Pure ASCII is already NFC; skip the Foundation call for the common case.
        let composed = text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(composed.unicodeScalars.count)
        var afterWhitespace = false
        for scalar in composed.unicodeScalars {
            if scalar.isRegexWhitespace {
                if !afterWhitespace { output.append(" ") }
                afterWhitespace = true
                continue
            }
            afterWhitespace = false
            if scalar.value < 0x80 {
                let value = scalar.value
                output.append(value >= 0x41 && value <= 0x5A ? Unicode.Scalar(UInt8(value + 0x20)) : scalar)
            } else {
                // Per-scalar full lowercase mapping (Rust's `char::to_lowercase`): no context
                // rules, so a final capital sigma becomes U+03C3, and U+0130 becomes "i" + U+0307.
                output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return output
    }
}
