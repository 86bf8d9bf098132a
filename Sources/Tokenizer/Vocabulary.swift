/// The two-way token <-> id table of `vocab.json`.
struct Vocabulary: Sendable {
    /// Token string -> id.
    private(set) var tokenIds: [String: Int] = [:]
    /// Id -> token string (for ids shared by several tokens, the last one in the file).
    private(set) var tokens: [Int: String] = [:]

    init(capacity: Int) {
        tokenIds.reserveCapacity(capacity)
        tokens.reserveCapacity(capacity)
    }

    /// Adds an entry; a repeated token takes its last id, as Python's `json` and serde_json do.
    mutating func insert(_ token: String, id: Int) {
        if let previous = tokenIds.updateValue(id, forKey: token), tokens[previous] == token {
            tokens[previous] = nil
        }
        tokens[id] = token
    }
}
