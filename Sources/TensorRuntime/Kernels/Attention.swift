import CKernels

/// Scratch bound per worker for attention scores: query tiles hold at most this many floats
/// (16 MiB), so 64x64 self-attention at batch 20 never materialises a full score matrix, while
/// tiles stay tall enough (1024 queries against 4096 keys) that re-packing keys and values per
/// tile costs little.
public let attentionScoreTileLimit = 1 << 22

extension Tensor {
    /// Multi-head scaled dot-product attention, `softmax(q k^T * scale [+ causal mask]) v`.
    ///
    /// query [B, Sq, H*D], key and value [B, Sk, H*D] (heads interleaved per token, as the
    /// projections produce them); returns [B, Sq, H*D]. Work is split into (sample, head, query
    /// tile) items over the workers; each tile keeps a full row of scores (tile x Sk floats, at
    /// most ``attentionScoreTileLimit``) and uses two single-threaded GEMMs.
    static func cpuAttention(query: Tensor, key: Tensor, value: Tensor, heads: Int, causal: Bool = false,
                                 scoreTileLimit: Int = attentionScoreTileLimit) -> Tensor {
        OperationProfiler.measure("attention") {
            precondition(query.rank == 3 && key.rank == 3 && value.shape == key.shape && query.shape[0] == key.shape[0]
                         && query.shape[2] == key.shape[2], "attention: q \(query.shape) k \(key.shape) v \(value.shape)")
            let batch = query.shape[0], queryLength = query.shape[1], keyLength = key.shape[1]
            let width = query.shape[2]
            precondition(width % heads == 0, "attention: width \(width) not divisible by \(heads) heads")
            let headDimension = width / heads
            let scale = 1 / Float(headDimension).squareRoot()
            BLAS.prepare()
            let tileRows = max(1, min(queryLength, scoreTileLimit / max(1, keyLength)))
            let tilesPerHead = (queryLength + tileRows - 1) / tileRows
            let items = batch * heads * tilesPerHead
            let workers = min(ComputeThreads.count, items)
            let result = Tensor(uninitializedShape: query.shape)
            let scratch = TensorStorage(uninitializedCount: workers * tileRows * keyLength)
            let queryBox = UncheckedSendable(query.pointer), keyBox = UncheckedSendable(key.pointer)
            let valueBox = UncheckedSendable(value.pointer), outputBox = UncheckedSendable(result.pointer)
            let scratchBox = UncheckedSendable(scratch.pointer)

            let run = {
                parallelTasks(items) { worker, range in
                    let scores = scratchBox.value + worker * tileRows * keyLength
                    for item in range {
                        let sample = item / (heads * tilesPerHead)
                        let head = (item / tilesPerHead) % heads
                        let firstRow = (item % tilesPerHead) * tileRows
                        let rows = min(tileRows, queryLength - firstRow)
                        let queryTile = queryBox.value + (sample * queryLength + firstRow) * width + head * headDimension
                        let keys = keyBox.value + sample * keyLength * width + head * headDimension
                        let values = valueBox.value + sample * keyLength * width + head * headDimension
                        let output = outputBox.value + (sample * queryLength + firstRow) * width + head * headDimension
                        BLAS.sgemmSingleThreaded(transposeB: true, m: rows, n: keyLength, k: headDimension, alpha: scale,
                                   a: queryTile, lda: width, b: keys, ldb: width, c: scores, ldc: keyLength)
                        for row in 0..<rows {
                            let visible = causal ? min(keyLength, firstRow + row + 1) : keyLength
                            softmaxRow(scores + row * keyLength, visible: visible, length: keyLength)
                        }
                        BLAS.sgemmSingleThreaded(m: rows, n: headDimension, k: keyLength,
                                   a: scores, lda: keyLength, b: values, ldb: width, c: output, ldc: width)
                    }
                }
            }
            run()
            return result
        }
    }

    /// In-place softmax of `row[0..<visible]`; entries from `visible` to `length` become 0
    /// (the causal mask's -inf).
    @inlinable
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, visible: Int, length: Int) {
        sd_softmax_row(row, visible, length)
    }

    /// Softmax over the last dimension.
    func cpuSoftmax() -> Tensor {
        let length = shape[rank - 1]
        let result = copy()
        let base = UncheckedSendable(result.pointer)
        parallelFor(count / length, minimumPerTask: 8) { row in
            Self.softmaxRow(base.value + row * length, visible: length, length: length)
        }
        return result
    }
}
