/// A dense, contiguous, row-major tensor (PyTorch's NCHW layout) with a dtype and a device.
///
/// `Tensor` is a value holding a shape and a reference to its storage. Operations return new
/// tensors and dispatch to the ``TensorBackend`` of the storage's device; the few in-place
/// kernels (`...InPlace`) are only applied to tensors the caller has just created, so shared
/// storage is never observed changing.
///
/// Code outside the runtime never touches element memory directly: host memory is read with
/// ``withUnsafeHostElements(_:)`` and written only while creating a tensor with
/// ``init(shape:initializingHostElements:)`` — I/O code (image codecs, safetensors, weight
/// conversion) and tests use these; networks, schedulers and pipelines use operations.
public struct Tensor: Sendable {
    /// The extent of each dimension; `[]` is a scalar.
    public let shape: [Int]
    /// The elements, row-major.
    public let storage: TensorStorage

    /// The number of elements (the product of `shape`).
    public var count: Int { storage.count }
    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The element type.
    public var dtype: DType { storage.dtype }
    /// Where the elements live.
    public var device: Device { storage.device }
    /// The backend that computes on this tensor.
    public var backend: any TensorBackend { storage.device.backend }
    /// The first element (host float32 memory; the runtime's kernels only).
    var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// A tensor over existing storage whose element count must equal the shape's product.
    public init(shape: [Int], storage: TensorStorage) {
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not match \(storage.count) elements")
        self.shape = shape
        self.storage = storage
    }

    /// An uninitialised float32 host tensor of `shape` (the runtime's kernels fill it).
    init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    /// A float32 host tensor whose elements `body` writes (every element must be written).
    /// - Throws: whatever `body` throws; no tensor is created then.
    public init(shape: [Int], initializingHostElements body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        self.init(uninitializedShape: shape)
        try body(UnsafeMutableBufferPointer(start: pointer, count: count))
    }

    /// Reads the elements in host memory (float32, row-major) for the duration of `body`.
    /// The buffer must not escape `body`.
    public func withUnsafeHostElements<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        precondition(device == .cpu && dtype == .float32, "host access to a \(dtype) tensor on \(device)")
        return try body(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// A float32 tensor filled with `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(uninitializedShape: shape)
        pointer.initialize(repeating: value, count: count)
    }

    /// A zero tensor.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// A tensor holding a copy of `values`, whose count must equal the shape's product.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values")
        self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    /// The elements as a float32 array (a copy; half-precision elements widened exactly).
    public var scalars: [Float] { converted(to: .float32).withUnsafeHostElements { Array($0) } }

    /// The same elements viewed with another shape of equal element count (no copy).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }

    /// A deep copy with its own storage.
    public func copy() -> Tensor { backend.copy(self) }

    /// Elements `[start, start + length)` of the outermost dimension, copied.
    public func slice(outer start: Int, length: Int) -> Tensor {
        precondition(rank >= 1 && start >= 0 && length >= 0 && start + length <= shape[0])
        return backend.slice(self, outer: start, length: length)
    }

    /// Stacks tensors of equal shape along the outermost dimension.
    public static func concatenateOuter(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty)
        let inner = Array(parts[0].shape.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == inner })
        return parts[0].backend.concatenateOuter(parts)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor(shape: \(shape), \(dtype), \(device))" }
}
