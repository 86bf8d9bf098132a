/// Cuts added (special) tokens out of text, as tokenizers' `AddedVocabulary` does with its
/// Aho-Corasick automaton in `LeftmostLongest` mode: at the leftmost position where any token
/// starts, the longest token there wins; matching resumes after it.
struct AddedTokenMatcher: Sendable {
    /// A stretch of text with no added token in it, or one added token's id.
    enum Segment: Equatable {
        case text(Range<Int>)
        case token(Int)
    }

    private let patterns: [(scalars: [Unicode.Scalar], id: Int)]
    private let firstScalars: Set<Unicode.Scalar>

    init(_ patterns: [(content: [Unicode.Scalar], id: Int)]) {
        self.patterns = patterns.filter { !$0.content.isEmpty }.map { ($0.content, $0.id) }
        firstScalars = Set(self.patterns.map { $0.scalars[0] })
    }

    var isEmpty: Bool { patterns.isEmpty }

    /// The segments of `scalars[range]`, in order; empty text segments are left out.
    func split(_ scalars: [Unicode.Scalar], in range: Range<Int>) -> [Segment] {
        guard !patterns.isEmpty else { return range.isEmpty ? [] : [.text(range)] }
        var segments: [Segment] = []
        var textStart = range.lowerBound
        var position = range.lowerBound
        while position < range.upperBound {
            guard firstScalars.contains(scalars[position]), let match = longestMatch(scalars, at: position, end: range.upperBound) else {
                position += 1
                continue
            }
            if textStart < position { segments.append(.text(textStart..<position)) }
            segments.append(.token(match.id))
            position += match.length
            textStart = position
        }
        if textStart < range.upperBound { segments.append(.text(textStart..<range.upperBound)) }
        return segments
    }

    private func longestMatch(_ scalars: [Unicode.Scalar], at position: Int, end: Int) -> (id: Int, length: Int)? {
        var best: (id: Int, length: Int)?
        for pattern in patterns where pattern.scalars.count > (best?.length ?? 0) && position + pattern.scalars.count <= end {
            var matches = true
            for offset in 0..<pattern.scalars.count where scalars[position + offset] != pattern.scalars[offset] {
                matches = false
                break
            }
            if matches { best = (pattern.id, pattern.scalars.count) }
        }
        return best
    }
}
