/// The pre-tokeniser of transformers' `CLIPTokenizer`, written out by hand over Unicode scalars:
///
/// 1. tokenizers `Split` with the CLIP pattern (`behavior="removed"`, `invert=True`: the matches
///    are kept, what lies between them — only whitespace — is dropped):
///    `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// 2. tokenizers `ByteLevel(add_prefix_space=False)`, which splits each piece again with the GPT-2
///    pattern `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`. After
///    step 1 this only changes pieces that mix classes: `<|startoftext|>` typed in a case that
///    the special-token match missed becomes `<|`, `startoftext`, `|>`.
///
/// Both regexes are leftmost-first alternations with greedy, never-backtracking quantifiers, so
/// trying the alternatives in order at each position reproduces them exactly.
enum PreTokenizer {
    private static let contractions: [[Unicode.Scalar]] = ["s", "t", "re", "ve", "m", "ll", "d"].map { Array($0.unicodeScalars) }
    private static let clipSpecialPieces: [[Unicode.Scalar]] = ["<|startoftext|>", "<|endoftext|>"].map { Array($0.unicodeScalars) }

    /// The pieces of already normalised text, as ranges of `scalars`, after both splits.
    static func pieces(_ scalars: [Unicode.Scalar], in range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for piece in clipPieces(scalars, in: range) {
            if piece.count == 1 {
                result.append(piece)
            } else {
                result.append(contentsOf: gpt2Pieces(scalars, in: piece))
            }
        }
        return result
    }

    /// Step 1: the CLIP pattern.
    static func clipPieces(_ scalars: [Unicode.Scalar], in range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var position = range.lowerBound
        let end = range.upperBound
        while position < end {
            let scalar = scalars[position]
            if scalar == "<", let length = clipSpecialPieces.first(where: { matches($0, scalars, at: position, end: end) })?.count {
                result.append(position..<(position + length))
                position += length
            } else if scalar == "'", let length = contractionLength(scalars, at: position, end: end) {
                result.append(position..<(position + length))
                position += length
            } else if scalar.isLetter {
                let start = position
                repeat { position += 1 } while position < end && scalars[position].isLetter
                result.append(start..<position)
            } else if scalar.isNumber {
                result.append(position..<(position + 1))
                position += 1
            } else if scalar.isRegexWhitespace {
                position += 1
            } else {
                let start = position
                repeat { position += 1 } while position < end && scalars[position].isOther
                result.append(start..<position)
            }
        }
        return result
    }

    /// Step 2: the GPT-2 pattern inside one piece.
    static func gpt2Pieces(_ scalars: [Unicode.Scalar], in range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var position = range.lowerBound
        let end = range.upperBound
        while position < end {
            let start = position
            if scalars[position] == "'", let length = contractionLength(scalars, at: position, end: end) {
                position += length
                result.append(start..<position)
                continue
            }
            // ` ?X+`: an optional single space before a run of one class.
            var classStart = position
            if scalars[position] == " ", position + 1 < end, !scalars[position + 1].isRegexWhitespace {
                classStart = position + 1
            }
            let first = scalars[classStart]
            if first.isRegexWhitespace {
                // `\s+(?!\S)|\s+`: a whitespace run, leaving its last space to the next word.
                // Unreachable after the CLIP split (its pieces hold no whitespace); kept so the
                // function is the whole pattern.
                var runEnd = position
                while runEnd < end && scalars[runEnd].isRegexWhitespace { runEnd += 1 }
                position = (runEnd < end && runEnd - position > 1) ? runEnd - 1 : runEnd
            } else {
                let sameClass: (Unicode.Scalar) -> Bool = first.isLetter ? { $0.isLetter } : first.isNumber ? { $0.isNumber } : { $0.isOther }
                position = classStart
                repeat { position += 1 } while position < end && sameClass(scalars[position])
            }
            result.append(start..<position)
        }
        return result
    }

    /// The length of `'s|'t|'re|'ve|'m|'ll|'d` at `position` (which holds an apostrophe), if one matches.
    private static func contractionLength(_ scalars: [Unicode.Scalar], at position: Int, end: Int) -> Int? {
        for suffix in contractions where matches(suffix, scalars, at: position + 1, end: end) {
            return suffix.count + 1
        }
        return nil
    }

    private static func matches(_ literal: [Unicode.Scalar], _ scalars: [Unicode.Scalar], at position: Int, end: Int) -> Bool {
        guard position + literal.count <= end else { return false }
        for offset in 0..<literal.count where scalars[position + offset] != literal[offset] { return false }
        return true
    }
}
