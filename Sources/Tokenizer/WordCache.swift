import Foundation

/// Encoded words by their UTF-8 bytes, shared by all copies of a tokenizer and safe to use
/// from any thread. Like tokenizers' BPE cache it holds at most `capacity` words and stops
/// adding once full (it only saves time; results never depend on it).
final class WordCache: @unchecked Sendable {
    // @unchecked: `entries` is only touched while holding `lock`.
    private let lock = NSLock()
    private var entries: [[UInt8]: [Int]] = [:]
    private let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    func ids(for word: [UInt8]) -> [Int]? {
        lock.lock()
        defer { lock.unlock() }
        return entries[word]
    }

    func store(_ ids: [Int], for word: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count < capacity { entries[word] = ids }
    }
}
