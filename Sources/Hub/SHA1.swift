// SHA-1 (FIPS 180-4), streaming. The hub's `ETag` for files stored in git (not LFS) is the git
// blob id: SHA-1 of "blob <size>\0" followed by the content.

/// A streaming SHA-1 digest (used only to check git blob ids, not for security).
public struct SHA1: Sendable, BlockHash {
    var state: [UInt32] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    var pending: [UInt8] = []
    var totalLength: UInt64 = 0

    /// Creates an empty digest.
    public init() { pending.reserveCapacity(64) }

    mutating func compress(_ block: UnsafeRawBufferPointer) {
        var words = [UInt32](repeating: 0, count: 80)
        let start = block.startIndex
        for index in 0..<16 {
            let offset = start + index * 4
            words[index] = UInt32(block[offset]) << 24 | UInt32(block[offset + 1]) << 16
                | UInt32(block[offset + 2]) << 8 | UInt32(block[offset + 3])
        }
        for index in 16..<80 {
            words[index] = rotateLeft(words[index - 3] ^ words[index - 8] ^ words[index - 14] ^ words[index - 16], 1)
        }
        var a = state[0], b = state[1], c = state[2], d = state[3], e = state[4]
        for index in 0..<80 {
            let mixed: UInt32
            let constant: UInt32
            switch index {
            case 0..<20: mixed = (b & c) | (~b & d); constant = 0x5A827999
            case 20..<40: mixed = b ^ c ^ d; constant = 0x6ED9EBA1
            case 40..<60: mixed = (b & c) | (b & d) | (c & d); constant = 0x8F1BBCDC
            default: mixed = b ^ c ^ d; constant = 0xCA62C1D6
            }
            let temporary = rotateLeft(a, 5) &+ mixed &+ e &+ constant &+ words[index]
            e = d; d = c; c = rotateLeft(b, 30); b = a; a = temporary
        }
        state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d; state[4] &+= e
    }
}
