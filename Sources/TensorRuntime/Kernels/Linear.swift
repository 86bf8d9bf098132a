extension Tensor {
    /// `x @ weight^T + bias` over the last dimension: x [..., in], weight [out, in], bias [out].
    /// A half-precision weight goes through the bf16 GEMM (float32 accumulation), else BLAS.
    func cpuLinear(weight: Tensor, bias: Tensor?) -> Tensor {
        OperationProfiler.measure("linear") {
            precondition(weight.rank == 2 && shape.last == weight.shape[1], "linear: input \(shape) vs weight \(weight.shape)")
            let inFeatures = weight.shape[1]
            let outFeatures = weight.shape[0]
            let rows = count / inFeatures
            let result = Tensor(uninitializedShape: Array(shape.dropLast()) + [outFeatures])
            if let bias {
                precondition(bias.count == outFeatures)
                let out = result.pointer
                for row in 0..<rows { (out + row * outFeatures).update(from: bias.pointer, count: outFeatures) }
            }
            if weight.dtype != .float32 {
                BFloat16GEMM.multiply(
                    m: rows, weights: weight.packedBFloat16Panels(rows: outFeatures),
                    a: pointer, aRowStride: inFeatures, aColumnStride: 1,
                    c: result.pointer, cRowStride: outFeatures, cColumnStride: 1, accumulate: bias != nil)
                return result
            }
            BLAS.sgemm(
                transposeB: true, m: rows, n: outFeatures, k: inFeatures,
                a: pointer, lda: inFeatures, b: weight.pointer, ldb: inFeatures,
                beta: bias == nil ? 0 : 1, c: result.pointer, ldc: outFeatures)
            return result
        }
    }

    /// Batched matrix product of the last two dimensions: [..., m, k] x [..., k, n].
    func cpuMatmul(_ other: Tensor) -> Tensor {
        precondition(rank >= 2 && other.rank == rank && shape.dropLast(2) == other.shape.dropLast(2)
                     && shape[rank - 1] == other.shape[rank - 2], "matmul: \(shape) x \(other.shape)")
        let m = shape[rank - 2], k = shape[rank - 1], n = other.shape[rank - 1]
        let batch = count / (m * k)
        let result = Tensor(uninitializedShape: Array(shape.dropLast(2)) + [m, n])
        for index in 0..<batch {
            BLAS.sgemm(m: m, n: n, k: k, a: pointer + index * m * k, lda: k,
                       b: other.pointer + index * k * n, ldb: n, c: result.pointer + index * m * n, ldc: n)
        }
        return result
    }
}
