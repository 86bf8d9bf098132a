import CKernels
import Synchronization

/// The memory behind a ``Tensor``: its device, its element type, and either owned memory
/// (64-byte aligned, freed on deinit; large buffers go back to ``LargeBufferPool`` for reuse)
/// or memory borrowed from an object that keeps it alive (a memory-mapped safetensors file).
///
/// float32 storage is what every kernel computes on. bfloat16 and float16 storage holds
/// weights kept in half precision (``Precision/bf16``), either row-major (F16/BF16 checkpoint
/// data mapped in place) or as the bf16 GEMM's packed panels (weight matrices loaded at bf16:
/// ``Tensor/packedBFloat16WeightMatrix()``); the CPU's linear and convolution kernels read
/// the panels, packed at most once per storage (``packedBFloat16Panels(rows:depth:)``).
///
/// Code outside the tensor runtime never sees the address: it reads host memory through
/// ``Tensor/withUnsafeHostElements(_:)`` and writes new tensors through
/// ``Tensor/init(shape:initializingHostElements:)``.
public final class TensorStorage: @unchecked Sendable {
    /// The first element (host memory; typed float32, meaningful only when `dtype` is float32).
    let pointer: UnsafeMutablePointer<Float>
    /// The first byte.
    let rawPointer: UnsafeMutableRawPointer
    /// Number of elements.
    public let count: Int
    /// Where the memory lives.
    public let device: Device
    /// The element type.
    public let dtype: DType
    private let owner: AnyObject?
    /// The bf16 GEMM panels of a half-precision weight, packed on first use.
    private let packedPanels = Mutex<PackedBFloat16Panels?>(nil)
    /// Set when the storage's memory is these panels (not row-major elements).
    let panelLayout: PackedBFloat16Panels?

    /// glibc serves blocks above its mmap threshold with fresh mappings, so every large
    /// activation would be page-faulted and zeroed anew (measured: 11% of a UNet forward).
    /// Keeping blocks up to 32 MiB in the heap, and not trimming it, lets them be reused.
    private static let allocatorConfigured: Bool = {
        sd_configure_allocator()
        return true
    }()

    /// Allocates `count` uninitialised elements of `dtype` in host memory.
    init(uninitializedCount count: Int, dtype: DType = .float32) {
        _ = Self.allocatorConfigured
        let bytes = max(count, 1) * dtype.byteCount
        let raw = bytes >= LargeBufferPool.minimumBytes
            ? LargeBufferPool.take(bytes: bytes)
            : UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        if dtype == .float32 {
            self.pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        } else {
            raw.bindMemory(to: UInt16.self, capacity: max(count, 1))
            self.pointer = raw.assumingMemoryBound(to: Float.self)
        }
        self.rawPointer = raw
        self.count = count
        self.device = .cpu
        self.dtype = dtype
        self.owner = nil
        self.panelLayout = nil
    }

    /// bfloat16 storage whose memory is `panels` (a [rows x depth] weight matrix in GEMM layout).
    init(panels: PackedBFloat16Panels) {
        let raw = UnsafeMutableRawPointer(panels.elements)
        self.rawPointer = raw
        self.pointer = raw.assumingMemoryBound(to: Float.self)
        self.count = panels.rows * panels.depth
        self.device = .cpu
        self.dtype = .bfloat16
        self.owner = panels
        self.panelLayout = panels
    }

    /// Wraps float32 host memory owned by `owner`, which must outlive every use of the pointer (it is retained).
    convenience init(borrowing pointer: UnsafeMutablePointer<Float>, count: Int, owner: AnyObject) {
        self.init(borrowingRaw: UnsafeMutableRawPointer(pointer), count: count, dtype: .float32, owner: owner)
    }

    /// Wraps host memory of `dtype` owned by `owner` (retained); half-precision data must be
    /// 2-byte aligned, float32 4-byte aligned.
    init(borrowingRaw raw: UnsafeMutableRawPointer, count: Int, dtype: DType, owner: AnyObject) {
        precondition(Int(bitPattern: raw) % dtype.byteCount == 0, "misaligned \(dtype) storage")
        self.rawPointer = raw
        self.pointer = raw.assumingMemoryBound(to: Float.self)
        self.count = count
        self.device = .cpu
        self.dtype = dtype
        self.owner = owner
        self.panelLayout = nil
    }

    /// The half-precision elements (row-major bfloat16 or float16 storage only).
    var halfPointer: UnsafeMutablePointer<UInt16> {
        precondition(dtype != .float32 && panelLayout == nil)
        return rawPointer.assumingMemoryBound(to: UInt16.self)
    }

    /// This storage, read as a row-major [rows x depth] matrix, packed into bf16 GEMM panels:
    /// done once (the first caller packs, in parallel; later callers get the same panels).
    func packedBFloat16Panels(rows: Int, depth: Int) -> PackedBFloat16Panels {
        precondition(rows * depth == count, "packing \(count) elements as [\(rows) x \(depth)]")
        if let panelLayout {
            precondition(panelLayout.rows == rows, "panels of \(panelLayout.rows) rows read as \(rows)")
            return panelLayout
        }
        return packedPanels.withLock { cached in
            if let cached, cached.rows == rows, cached.depth == depth { return cached }
            let packed = PackedBFloat16Panels(packing: self, rows: rows, depth: depth)
            cached = packed
            return packed
        }
    }

    deinit {
        guard owner == nil else { return }
        let bytes = max(count, 1) * dtype.byteCount
        if bytes >= LargeBufferPool.minimumBytes {
            LargeBufferPool.give(rawPointer, bytes: bytes)
        } else {
            rawPointer.deallocate()
        }
    }
}
