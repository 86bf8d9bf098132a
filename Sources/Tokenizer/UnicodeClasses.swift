// The character classes of the Oniguruma regexes that `tokenizers` 0.23 compiles for CLIP:
// `\s`, `\p{L}` and `\p{N}`, decided here from the Unicode properties of each scalar rather
// than through NSRegularExpression, whose classes differ in places.
//
// Oniguruma's tables there are Unicode 16.0; Swift 6.3's are Unicode 17.0. Probing all
// 1,114,112 code points through tokenizers 0.23.3 showed that the only differences are the
// 4,657 code points first assigned in Unicode 17.0 (CJK Extension J, Sidetic, Tolong Siki, ...),
// which Oniguruma treats as unassigned. So letters and numbers newer than Unicode 16.0 count as
// "other" here too, whatever Unicode version the Swift runtime has.

extension Unicode.Scalar {
    /// `\s`: the Unicode `White_Space` property (tab to carriage return, space, U+0085, U+00A0,
    /// U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). Not U+001C-U+001F
    /// (which Python's `str.isspace` includes), not U+200B or U+180E.
    var isRegexWhitespace: Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return properties.isWhitespace
    }

    /// `\p{L}`: general category Lu, Ll, Lt, Lm or Lo (as of Unicode 16.0).
    var isLetter: Bool {
        if value < 0x80 { return (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A }
        guard isAssignedByUnicode16 else { return false }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `\p{N}`: general category Nd, Nl or No (as of Unicode 16.0).
    var isNumber: Bool {
        if value < 0x80 { return value >= 0x30 && value <= 0x39 }
        guard isAssignedByUnicode16 else { return false }
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// Whether the scalar was assigned in Unicode 16.0 or earlier, the version of Oniguruma's tables.
    private var isAssignedByUnicode16: Bool {
        guard let age = properties.age else { return false }
        return age.major < 16 || (age.major == 16 && age.minor == 0)
    }

    /// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks, controls, unassigned code points.
    var isOther: Bool { !isRegexWhitespace && !isLetter && !isNumber }
}
