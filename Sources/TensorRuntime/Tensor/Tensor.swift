/// A dense, contiguous, row-major float32 tensor (PyTorch's NCHW layout).
///
/// `Tensor` is a value holding a shape and a reference to its storage. Operations return new
/// tensors; the few in-place kernels (`...InPlace`) are only applied by the runtime to tensors it
/// has just created, so shared storage is never observed changing.
public struct Tensor: Sendable {
    /// The extent of each dimension; `[]` is a scalar.
    public let shape: [Int]
    /// The elements, row-major.
    public let storage: TensorStorage

    /// The number of elements (the product of `shape`).
    public var count: Int { storage.count }
    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The first element.
    public var pointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// A tensor over existing storage whose element count must equal the shape's product.
    public init(shape: [Int], storage: TensorStorage) {
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not match \(storage.count) elements")
        self.shape = shape
        self.storage = storage
    }

    /// An uninitialised tensor of `shape`.
    public init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    /// A tensor filled with `value`.
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

    /// The elements as an array (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// The same elements viewed with another shape of equal element count (no copy).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }

    /// A deep copy with its own storage.
    public func copy() -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    /// Elements `[start, start + length)` of the outermost dimension, copied.
    public func slice(outer start: Int, length: Int) -> Tensor {
        precondition(rank >= 1 && start >= 0 && length >= 0 && start + length <= shape[0])
        let inner = shape.dropFirst().reduce(1, *)
        let result = Tensor(uninitializedShape: [length] + shape.dropFirst())
        result.pointer.update(from: pointer + start * inner, count: length * inner)
        return result
    }

    /// Stacks tensors of equal shape along the outermost dimension.
    public static func concatenateOuter(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty)
        let inner = Array(parts[0].shape.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == inner })
        let total = parts.reduce(0) { $0 + $1.shape[0] }
        let result = Tensor(uninitializedShape: [total] + inner)
        var offset = 0
        for part in parts {
            (result.pointer + offset).update(from: part.pointer, count: part.count)
            offset += part.count
        }
        return result
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor(shape: \(shape))" }
}
