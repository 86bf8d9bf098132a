import TensorRuntime

/// Where a pipeline's random numbers come from, draw by draw (docs/ALGORITHM.md §4's random-number
/// contract fixes the order and shapes). A ``TorchGenerator`` reproduces the reference seeded
/// on the CPU; ``RecordedNoise`` replays tensors a test recorded.
public protocol NoiseSource {
    /// The next standard normal tensor of `shape`.
    mutating func next(shape: [Int]) throws -> Tensor
}

extension TorchGenerator: NoiseSource {
    public mutating func next(shape: [Int]) throws -> Tensor { normal(shape: shape) }
}

/// Replays recorded draws in order; a draw of another shape, or one past the end, is an error.
public struct RecordedNoise: NoiseSource {
    private var draws: [Tensor]
    private var index = 0

    public init(_ draws: [Tensor]) { self.draws = draws }

    /// How many draws have been taken.
    public var consumed: Int { index }

    public mutating func next(shape: [Int]) throws -> Tensor {
        guard index < draws.count else {
            throw RegionGenerationError.noise(reason: "draw \(index) of shape \(shape) requested, but only \(draws.count) were recorded")
        }
        let draw = draws[index]
        guard draw.shape == shape else {
            throw RegionGenerationError.noise(reason: "draw \(index) has shape \(draw.shape), the pipeline asked for \(shape)")
        }
        index += 1
        return draw
    }
}
