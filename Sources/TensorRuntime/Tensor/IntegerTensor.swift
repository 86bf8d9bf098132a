/// Integer data (token ids, timesteps) read from a file: kept as integers, never as floats.
public struct IntegerTensor: Sendable, Equatable {
    /// The extent of each dimension; `[]` is a scalar.
    public let shape: [Int]
    /// The elements, row-major, widened to 64 bits.
    public let values: [Int64]

    /// Creates an integer tensor; `values.count` must equal the shape's product.
    public init(shape: [Int], values: [Int64]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values")
        self.shape = shape
        self.values = values
    }
}
