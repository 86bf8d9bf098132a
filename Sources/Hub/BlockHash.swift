/// The Merkle-Damgard frame SHA-1 and SHA-256 share (FIPS 180-4): bytes are buffered into
/// 64-byte blocks for `compress`, and the message is finished with 0x80, zeros and the
/// big-endian bit length. Conforming types supply the state and the compression function.
protocol BlockHash {
    /// The chaining state, output big-endian as the digest.
    var state: [UInt32] { get }
    /// Bytes not yet compressed (fewer than 64).
    var pending: [UInt8] { get set }
    /// Bytes fed so far.
    var totalLength: UInt64 { get set }
    /// Compresses one 64-byte block into the state.
    mutating func compress(_ block: UnsafeRawBufferPointer)
}

extension BlockHash {
    /// Feeds bytes into the digest.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update(bytes: $0) }
    }

    /// Feeds a contiguous block of bytes.
    public mutating func update(bytes: UnsafeRawBufferPointer) {
        totalLength &+= UInt64(bytes.count)
        var index = 0
        if !pending.isEmpty {
            while index < bytes.count && pending.count < 64 {
                pending.append(bytes[index])
                index += 1
            }
            if pending.count == 64 {
                let block = pending
                block.withUnsafeBytes { compress($0) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        while bytes.count - index >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + 64)]))
            index += 64
        }
        while index < bytes.count {
            pending.append(bytes[index])
            index += 1
        }
    }

    /// Finishes the digest and returns it as lowercase hexadecimal.
    public mutating func finalizeHex() -> String {
        let bitLength = totalLength &* 8
        var padding: [UInt8] = [0x80]
        let remainder = (pending.count + 1) % 64
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
}
