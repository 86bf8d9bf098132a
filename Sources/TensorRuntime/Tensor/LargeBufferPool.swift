import Synchronization

/// Keeps recently freed large tensor buffers for reuse.
///
/// glibc hands out blocks above 32 MiB (the most its mmap threshold can be raised to) as fresh
/// mappings, so every such activation — a batch-15 UNet activation, a full-resolution VAE
/// feature map — would be page-faulted and zeroed anew on each use. Freed buffers of at least
/// ``minimumBytes`` are kept here (up to ``retainedLimit`` bytes in all, so that a batch-4 UNet
/// forward stays within 1.5 GiB above its weights) and handed out again for requests of the
/// same size class. Sizes are rounded up to 2 MiB classes.
enum LargeBufferPool {
    /// Buffers below this size are left to malloc.
    static let minimumBytes = 32 << 20
    /// The most memory the pool keeps while it is unused.
    static let retainedLimit = 512 << 20
    private static let classBytes = 2 << 20

    private struct State {
        var buffers: [Int: [UnsafeMutableRawPointer]] = [:]
        var retained = 0
    }

    private static let state = Mutex(UncheckedState(State()))

    /// `Mutex` needs a `Sendable` value; the raw pointers are owned exclusively by the pool.
    private struct UncheckedState: @unchecked Sendable {
        var value: State
        init(_ value: State) { self.value = value }
    }

    /// The byte size actually allocated for a request of `bytes`.
    static func capacity(for bytes: Int) -> Int {
        (bytes + classBytes - 1) / classBytes * classBytes
    }

    /// A buffer of `capacity(for: bytes)` bytes, reused when one is available.
    static func take(bytes: Int) -> UnsafeMutableRawPointer {
        let size = capacity(for: bytes)
        let reused: UnsafeMutableRawPointer? = state.withLock { box in
            guard var list = box.value.buffers[size], let buffer = list.popLast() else { return nil }
            box.value.buffers[size] = list
            box.value.retained -= size
            return buffer
        }
        return reused ?? UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Returns a buffer obtained from ``take(bytes:)`` for the same `bytes`.
    static func give(_ buffer: UnsafeMutableRawPointer, bytes: Int) {
        let size = capacity(for: bytes)
        let kept: Bool = state.withLock { box in
            guard box.value.retained + size <= retainedLimit else { return false }
            box.value.buffers[size, default: []].append(buffer)
            box.value.retained += size
            return true
        }
        if !kept { buffer.deallocate() }
    }
}
