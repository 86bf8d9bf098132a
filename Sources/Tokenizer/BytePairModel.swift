/// The BPE model of transformers' `CLIPTokenizer` (tokenizers `models.BPE` with
/// `end_of_word_suffix="</w>"`, no continuing-subword prefix, no dropout, `fuse_unk=False`), and
/// of `GPT2Tokenizer` (the same without an end-of-word suffix):
/// a word's bytes start as one symbol each (for CLIP the last one carries `</w>`), then the adjacent
/// pair with the lowest merge rank — the leftmost among equals — is merged, one pair at a time,
/// until no pair has a merge. Symbols missing from the vocabulary become the unknown token, or
/// are dropped when there is none (as tokenizers does; byte-level vocabularies hold all 256 bytes).
final class BytePairModel: Sendable {
    /// The token <-> id tables of `vocab.json`.
    let vocabulary: Vocabulary
    /// (left id, right id) packed by ``pairKey(_:_:)`` -> (rank << 32) | merged id.
    private let merges: [UInt64: UInt64]
    private let byteSymbolIds: [Int?]
    private let byteEndSymbolIds: [Int?]
    private let unknownTokenId: Int?
    private let cache = WordCache()

    static let endOfWordSuffix = "</w>"

    /// - Parameters:
    ///   - vocabulary: the tables of `vocab.json`.
    ///   - merges: the merge pairs of `merges.txt`, with their line numbers for error messages.
    ///   - mergesFile: the path named in errors.
    ///   - unknownTokenId: the id that stands for symbols missing from the vocabulary (nil: dropped).
    ///   - endOfWordSuffix: appended to the last symbol of a word (`</w>` for CLIP, nil for GPT-2).
    init(vocabulary: Vocabulary, merges mergeLines: [(left: String, right: String, line: Int)],
         mergesFile: String, unknownTokenId: Int?, endOfWordSuffix: String? = BytePairModel.endOfWordSuffix) throws(TokenizerError) {
        let tokenIds = vocabulary.tokenIds
        var merges: [UInt64: UInt64] = [:]
        merges.reserveCapacity(mergeLines.count)
        for (rank, merge) in mergeLines.enumerated() {
            guard let left = tokenIds[merge.left] else {
                throw .mergeTokenNotInVocabulary(file: mergesFile, line: merge.line, token: merge.left)
            }
            guard let right = tokenIds[merge.right] else {
                throw .mergeTokenNotInVocabulary(file: mergesFile, line: merge.line, token: merge.right)
            }
            guard let merged = tokenIds[merge.left + merge.right] else {
                throw .mergeTokenNotInVocabulary(file: mergesFile, line: merge.line, token: merge.left + merge.right)
            }
            // A repeated pair takes its last rank, as tokenizers' HashMap built from the list does.
            merges[Self.pairKey(left, right)] = UInt64(rank) << 32 | UInt64(merged)
        }
        self.vocabulary = vocabulary
        self.merges = merges
        byteSymbolIds = ByteLevelAlphabet.characters.map { tokenIds[String($0)] }
        byteEndSymbolIds = ByteLevelAlphabet.characters.map { tokenIds[String($0) + (endOfWordSuffix ?? "")] }
        self.unknownTokenId = unknownTokenId
    }

    /// The ids of one pre-tokenised word, given as its UTF-8 bytes.
    func encode(word bytes: [UInt8]) -> [Int] {
        guard !bytes.isEmpty else { return [] }
        if let cached = cache.ids(for: bytes) { return cached }
        let ids = merge(bytes)
        cache.store(ids, for: bytes)
        return ids
    }

    private func merge(_ bytes: [UInt8]) -> [Int] {
        var symbols: [Int] = []
        symbols.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            // A symbol with no id and no unknown token is left out before merging, as tokenizers does.
            if let id = (index == bytes.count - 1 ? byteEndSymbolIds[Int(byte)] : byteSymbolIds[Int(byte)]) ?? unknownTokenId {
                symbols.append(id)
            }
        }
        let count = symbols.count
        guard count > 1 else { return symbols }
        // Doubly linked list over the original positions; merged-away symbols are marked dead.
        var previous = Array(-1..<(count - 1))
        var next = Array(1...count)
        next[count - 1] = -1
        var alive = [Bool](repeating: true, count: count)
        var queue = MergeQueue(capacity: count)
        for position in 0..<(count - 1) {
            if let merge = merges[Self.pairKey(symbols[position], symbols[position + 1])] {
                queue.push(Self.candidate(merge, at: position))
            }
        }
        while let top = queue.pop() {
            let position = top.position
            guard alive[position], next[position] >= 0 else { continue }
            let right = next[position]
            // Skip entries made stale by an earlier merge: the pair here must still merge into newId.
            guard let merge = merges[Self.pairKey(symbols[position], symbols[right])],
                  Int(merge & 0xFFFF_FFFF) == top.newId else { continue }
            symbols[position] = top.newId
            alive[right] = false
            next[position] = next[right]
            if next[right] >= 0 { previous[next[right]] = position }
            if previous[position] >= 0, let merge = merges[Self.pairKey(symbols[previous[position]], symbols[position])] {
                queue.push(Self.candidate(merge, at: previous[position]))
            }
            if next[position] >= 0, let merge = merges[Self.pairKey(symbols[position], symbols[next[position]])] {
                queue.push(Self.candidate(merge, at: position))
            }
        }
        var result: [Int] = []
        var position = 0
        while position >= 0 {
            result.append(symbols[position])
            position = next[position]
        }
        return result
    }

    private static func pairKey(_ left: Int, _ right: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: left)) << 32 | UInt64(UInt32(truncatingIfNeeded: right))
    }

    private static func candidate(_ merge: UInt64, at position: Int) -> MergeCandidate {
        MergeCandidate(rank: Int(merge >> 32), position: position, newId: Int(merge & 0xFFFF_FFFF))
    }
}
