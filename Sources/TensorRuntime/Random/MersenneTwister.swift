// Port of PyTorch's `at::mt19937` (aten/src/ATen/core/MT19937RNGEngine.h, torch 2.13.0), the
// engine behind every CPU `torch.Generator`: MT19937 with the 2002 `init_genrand` seeding.

/// The 32-bit Mersenne Twister exactly as PyTorch's `at::mt19937` runs it.
///
/// Seeding follows `at::mt19937(uint64_t seed)`: only the low 32 bits of the seed enter the
/// state (`state[0] = seed & 0xffffffff`), so seeds that agree modulo 2^32 give the same stream;
/// the full 64-bit value is kept as ``seed`` (what `torch.Generator.initial_seed()` reports).
/// The state is refilled lazily on the first draw, as in PyTorch (`left_ = 1` after seeding).
public struct MersenneTwister: Sendable {
    /// Words of state (`MERSENNE_STATE_N`).
    public static let stateCount = 624
    /// The recurrence's middle offset (`MERSENNE_STATE_M`).
    static let middleOffset = 397
    static let matrixA: UInt32 = 0x9908_B0DF
    static let upperMask: UInt32 = 0x8000_0000
    static let lowerMask: UInt32 = 0x7FFF_FFFF

    /// The seed as given (all 64 bits; the engine itself uses the low 32).
    public let seed: UInt64
    private var state: [UInt32]
    /// Draws left before the next refill, plus one (PyTorch's `left_`).
    private var remaining: Int
    /// Index of the next state word to temper (PyTorch's `next_`).
    private var nextIndex: Int

    /// An engine seeded as `at::mt19937(seed)` / `torch.Generator().manual_seed(seed)`.
    public init(seed: UInt64) {
        self.seed = seed
        var words = [UInt32](repeating: 0, count: Self.stateCount)
        words[0] = UInt32(truncatingIfNeeded: seed)
        for index in 1..<Self.stateCount {
            let previous = words[index - 1]
            words[index] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(index)
        }
        state = words
        remaining = 1
        nextIndex = 0
    }

    /// The next 32-bit output (PyTorch's `mt19937::operator()`, `CPUGeneratorImpl::random()`).
    public mutating func next() -> UInt32 {
        remaining -= 1
        if remaining == 0 { refill() }
        var value = state[nextIndex]
        nextIndex += 1
        value ^= value >> 11
        value ^= (value << 7) & 0x9D2C_5680
        value ^= (value << 15) & 0xEFC6_0000
        value ^= value >> 18
        return value
    }

    /// Fills `buffer` with consecutive outputs (the same stream as repeated ``next()``).
    public mutating func fill(_ buffer: UnsafeMutableBufferPointer<UInt32>) {
        for index in buffer.indices { buffer[index] = next() }
    }

    /// Regenerates all 624 words (`mt19937::next_state`).
    private mutating func refill() {
        let count = Self.stateCount, middle = Self.middleOffset
        state.withUnsafeMutableBufferPointer { words in
            func twist(_ upper: UInt32, _ lower: UInt32) -> UInt32 {
                let mixed = (upper & Self.upperMask) | (lower & Self.lowerMask)
                return (mixed >> 1) ^ ((lower & 1) != 0 ? Self.matrixA : 0)
            }
            for index in 0..<(count - middle) {
                words[index] = words[index + middle] ^ twist(words[index], words[index + 1])
            }
            for index in (count - middle)..<(count - 1) {
                words[index] = words[index + middle - count] ^ twist(words[index], words[index + 1])
            }
            words[count - 1] = words[middle - 1] ^ twist(words[count - 1], words[0])
        }
        remaining = count
        nextIndex = 0
    }
}
