import CKernels

/// The memory behind a ``Tensor``: its device, its element type, and either owned memory
/// (64-byte aligned, freed on deinit; large buffers go back to ``LargeBufferPool`` for reuse)
/// or memory borrowed from an object that keeps it alive (a memory-mapped safetensors file).
///
/// Code outside the tensor runtime never sees the address: it reads host memory through
/// ``Tensor/withUnsafeHostElements(_:)`` and writes new tensors through
/// ``Tensor/init(shape:initializingHostElements:)``.
public final class TensorStorage: @unchecked Sendable {
    /// The first element (host memory; float32).
    let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    public let count: Int
    /// Where the memory lives.
    public let device: Device
    /// The element type.
    public let dtype: DType
    private let owner: AnyObject?

    /// glibc serves blocks above its mmap threshold with fresh mappings, so every large
    /// activation would be page-faulted and zeroed anew (measured: 11% of a UNet forward).
    /// Keeping blocks up to 32 MiB in the heap, and not trimming it, lets them be reused.
    private static let allocatorConfigured: Bool = {
        sd_configure_allocator()
        return true
    }()

    /// Allocates `count` uninitialised float32 elements in host memory.
    init(uninitializedCount count: Int) {
        _ = Self.allocatorConfigured
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw = bytes >= LargeBufferPool.minimumBytes
            ? LargeBufferPool.take(bytes: bytes)
            : UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        self.pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        self.device = .cpu
        self.dtype = .float32
        self.owner = nil
    }

    /// Wraps float32 host memory owned by `owner`, which must outlive every use of the pointer (it is retained).
    init(borrowing pointer: UnsafeMutablePointer<Float>, count: Int, owner: AnyObject) {
        self.pointer = pointer
        self.count = count
        self.device = .cpu
        self.dtype = .float32
        self.owner = owner
    }

    deinit {
        guard owner == nil else { return }
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if bytes >= LargeBufferPool.minimumBytes {
            LargeBufferPool.give(UnsafeMutableRawPointer(pointer), bytes: bytes)
        } else {
            UnsafeMutableRawPointer(pointer).deallocate()
        }
    }
}
