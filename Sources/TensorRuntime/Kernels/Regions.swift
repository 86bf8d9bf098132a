/// Spatial rearrangements over the last two dimensions (CPU kernels): crops, patches, per-sample
/// circular rolls, bounding boxes, and selecting one index of a dimension.

/// The rows and columns of a 2-D region: `top..<top + height`, `left..<left + width`.
public struct SpatialRegion: Sendable, Equatable {
    public let top: Int
    public let left: Int
    public let height: Int
    public let width: Int

    public init(top: Int, left: Int, height: Int, width: Int) {
        self.top = top
        self.left = left
        self.height = height
        self.width = width
    }
}

/// The bounding box of positive entries: rows `top...bottom`, columns `left...right` (inclusive).
public struct PositiveBoundingBox: Sendable, Equatable {
    public let top: Int
    public let bottom: Int
    public let left: Int
    public let right: Int
}

extension Tensor {
    func cpuCropped(to region: SpatialRegion) -> Tensor {
        let height = shape[rank - 2], width = shape[rank - 1]
        let planes = count / (height * width)
        let result = Tensor(uninitializedShape: Array(shape.dropLast(2)) + [region.height, region.width])
        for plane in 0..<planes {
            for y in 0..<region.height {
                (result.pointer + (plane * region.height + y) * region.width)
                    .update(from: pointer + (plane * height + region.top + y) * width + region.left, count: region.width)
            }
        }
        return result
    }

    func cpuAddingPatch(_ patch: Tensor, at region: SpatialRegion) -> Tensor {
        let height = shape[rank - 2], width = shape[rank - 1]
        let planes = count / (height * width)
        let result = copy()
        for plane in 0..<planes {
            for y in 0..<region.height {
                let target = result.pointer + (plane * height + region.top + y) * width + region.left
                let source = patch.pointer + (plane * region.height + y) * region.width
                for x in 0..<region.width { target[x] += source[x] }
            }
        }
        return result
    }

    func cpuRolled(shifts: [(rows: Int, columns: Int)]) -> Tensor {
        let batch = shape[0], height = shape[rank - 2], width = shape[rank - 1]
        let planesPerElement = count / (batch * height * width)
        let result = Tensor(uninitializedShape: shape)
        for element in 0..<batch {
            let (rows, columns) = shifts[element]
            for plane in 0..<planesPerElement {
                let base = (element * planesPerElement + plane) * height * width
                for y in 0..<height {
                    let targetY = ((y + rows) % height + height) % height
                    for x in 0..<width {
                        let targetX = ((x + columns) % width + width) % width
                        result.pointer[base + targetY * width + targetX] = pointer[base + y * width + x]
                    }
                }
            }
        }
        return result
    }

    func cpuPositiveBoundingBoxes() -> [PositiveBoundingBox?] {
        let batch = shape[0], height = shape[rank - 2], width = shape[rank - 1]
        let perElement = count / batch
        return (0..<batch).map { element in
            let base = pointer + element * perElement
            var top = -1, bottom = 0, left = Int.max, right = 0
            for y in 0..<height {
                for x in 0..<width where base[y * width + x] > 0 {
                    if top < 0 { top = y }
                    bottom = y
                    left = Swift.min(left, x)
                    right = Swift.max(right, x)
                }
            }
            return top < 0 ? nil : PositiveBoundingBox(top: top, bottom: bottom, left: left, right: right)
        }
    }

    func cpuSelecting(index: Int, alongDimension dimension: Int) -> Tensor {
        let outer = shape[..<dimension].reduce(1, *), extent = shape[dimension]
        let inner = shape[(dimension + 1)...].reduce(1, *)
        var newShape = shape
        newShape.remove(at: dimension)
        let result = Tensor(uninitializedShape: newShape)
        for block in 0..<outer {
            (result.pointer + block * inner).update(from: pointer + (block * extent + index) * inner, count: inner)
        }
        return result
    }

    func cpuSummed(alongDimension dimension: Int) -> Tensor {
        let outer = shape[..<dimension].reduce(1, *), extent = shape[dimension]
        let inner = shape[(dimension + 1)...].reduce(1, *)
        var newShape = shape
        newShape[dimension] = 1
        let result = Tensor(uninitializedShape: newShape)
        for block in 0..<outer {
            let output = result.pointer + block * inner
            output.initialize(repeating: 0, count: inner)
            for position in 0..<extent {
                let source = pointer + (block * extent + position) * inner
                for index in 0..<inner { output[index] += source[index] }
            }
        }
        return result
    }

    func cpuSampleStandardDeviations(unbiased: Bool) -> Tensor {
        let samples = shape[0], length = count / max(samples, 1)
        let result = Tensor(uninitializedShape: [samples] + Array(repeating: 1, count: rank - 1))
        for sample in 0..<samples {
            let source = pointer + sample * length
            var sum = 0.0
            for index in 0..<length { sum += Double(source[index]) }
            let mean = sum / Double(length)
            var squares = 0.0
            for index in 0..<length { let difference = Double(source[index]) - mean; squares += difference * difference }
            let divisor = Double(unbiased ? length - 1 : length)
            result.pointer[sample] = divisor > 0 ? Float((squares / divisor).squareRoot()) : .nan
        }
        return result
    }
}
