extension Tensor {
    func cpuCopy() -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    func cpuSlice(outer start: Int, length: Int) -> Tensor {
        let inner = shape.dropFirst().reduce(1, *)
        let result = Tensor(uninitializedShape: [length] + shape.dropFirst())
        result.pointer.update(from: pointer + start * inner, count: length * inner)
        return result
    }

    static func cpuConcatenateOuter(_ parts: [Tensor]) -> Tensor {
        let inner = Array(parts[0].shape.dropFirst())
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
