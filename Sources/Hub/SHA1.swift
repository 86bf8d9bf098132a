// SHA-1 (FIPS 180-4), streaming. The hub's `ETag` for files stored in git (not LFS) is the git
// blob id: SHA-1 of "blob <size>\0" followed by the content.

/// A streaming SHA-1 digest (used only to check git blob ids, not for security).
public struct SHA1: Sendable {
    private var state: [UInt32] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    private var buffer: [UInt8] = []
    private var totalLength: UInt64 = 0

    /// Creates an empty digest.
    public init() { buffer.reserveCapacity(64) }

    /// Feeds bytes into the digest.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update(bytes: $0) }
    }

    /// Feeds a contiguous block of bytes.
    public mutating func update(bytes: UnsafeRawBufferPointer) {
        totalLength &+= UInt64(bytes.count)
        var index = 0
        if !buffer.isEmpty {
            while index < bytes.count && buffer.count < 64 {
                buffer.append(bytes[index])
                index += 1
            }
            if buffer.count == 64 {
                compress(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        while bytes.count - index >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + 64)]))
            index += 64
        }
        while index < bytes.count {
            buffer.append(bytes[index])
            index += 1
        }
    }

    /// Finishes the digest and returns it as lowercase hexadecimal.
    public mutating func finalizeHex() -> String {
        let bitLength = totalLength &* 8
        var padding: [UInt8] = [0x80]
        let remainder = (buffer.count + 1) % 64
        padding.append(contentsOf: [UInt8](repeating: 0, count: remainder <= 56 ? 56 - remainder : 120 - remainder))
        for shift in stride(from: 56, through: 0, by: -8) {
            padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        padding.withUnsafeBytes { update(bytes: $0) }
        return state.map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }

    private mutating func compress<Block: Collection>(_ block: Block) where Block.Element == UInt8, Block.Index == Int {
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
