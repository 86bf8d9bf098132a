import CKernels
import Foundation

/// Scratch bound per worker for the causal (tiled) attention's scores: query tiles hold at
/// most this many floats (16 MiB). Unmasked attention uses the fused kernel, whose scores are a
/// fixed 96 x 256 block.
public let attentionScoreTileLimit = 1 << 22

/// `SEMANTIC_DRAW_ATTENTION=tiled` sends unmasked attention through the tiled path too; a
/// benchmarking aid (docs/PERFORMANCE.md compares the two), read once.
let attentionForcesTiles = ProcessInfo.processInfo.environment["SEMANTIC_DRAW_ATTENTION"] == "tiled"

/// The code paths of the fused attention kernel (CKernelsAttention.h): the same blocking and
/// packing, tiles of 6 queries x 16 keys/channels in 256-bit vectors or 6 x 64 in 512-bit ones.
public enum AttentionKernelPath: String, Sendable, CaseIterable {
    /// clang vector extensions at 256 bits (AVX2/FMA on x86-64-v3, NEON elsewhere); any CPU.
    case portable
    /// AVX-512F, where the CPU has it and the OS saves its registers.
    case avx512

    var code: Int32 {
        switch self {
        case .portable: return Int32(SD_ATTENTION_PATH_PORTABLE.rawValue)
        case .avx512: return Int32(SD_ATTENTION_PATH_AVX512.rawValue)
        }
    }

    /// Whether this CPU (and its operating system) can run the path.
    public var isSupported: Bool { sd_attention_path_supported(code) != 0 }

    /// The path unmasked attention uses: `SEMANTIC_DRAW_ATTENTION=portable` forces the 256-bit
    /// one (a benchmarking aid), else the fastest this CPU runs.
    public static let current: AttentionKernelPath = {
        if ProcessInfo.processInfo.environment["SEMANTIC_DRAW_ATTENTION"] == "portable" { return .portable }
        return sd_attention_best_path() == Int32(SD_ATTENTION_PATH_AVX512.rawValue) ? .avx512 : .portable
    }()
}

extension Tensor {
    /// Multi-head scaled dot-product attention, `softmax(q k^T * scale [+ causal mask]) v`.
    ///
    /// query [B, Sq, H*D], key and value [B, Sk, H*D] (heads interleaved per token, as the
    /// projections produce them); returns [B, Sq, H*D]. Without a mask this is the fused kernel
    /// (``fusedAttention(query:key:value:heads:)``); the causal mask (text encoders, 77 tokens)
    /// takes the tiled path below.
    static func cpuAttention(query: Tensor, key: Tensor, value: Tensor, heads: Int, causal: Bool = false,
                             scoreTileLimit: Int = attentionScoreTileLimit) -> Tensor {
        precondition(query.rank == 3 && key.rank == 3 && value.shape == key.shape && query.shape[0] == key.shape[0]
                     && query.shape[2] == key.shape[2], "attention: q \(query.shape) k \(key.shape) v \(value.shape)")
        precondition(query.shape[2] % heads == 0, "attention: width \(query.shape[2]) not divisible by \(heads) heads")
        if causal || attentionForcesTiles {
            return tiledAttention(query: query, key: key, value: value, heads: heads, causal: causal, scoreTileLimit: scoreTileLimit)
        }
        return fusedAttention(query: query, key: key, value: value, heads: heads)
    }

    /// Attention in one pass over keys and values per query block, the scores of a 96-query x
    /// 256-key block kept in cache with an online softmax (running maximum and sum, earlier
    /// output rescaled when the maximum grows), as FlashAttention does; see
    /// `Sources/CKernels/attention.c`. Keys and values are first packed per (sample, head), then
    /// (sample, head, query block) items are spread over the workers.
    ///
    /// `path` picks the kernels (default ``AttentionKernelPath/current``; an unsupported one runs
    /// the portable kernels); tests compare each against a reference.
    public static func fusedAttention(query: Tensor, key: Tensor, value: Tensor, heads: Int,
                                      path: AttentionKernelPath = .current) -> Tensor {
        fusedJointAttention(queries: [query], keys: [key], values: [value], heads: heads, path: path)[0]
    }

    /// The fused attention of each query part against the key and value parts concatenated
    /// along the sequence, without building the concatenation: the parts are packed into one
    /// key and one value sequence per (sample, head) (``fusedAttention(query:key:value:heads:path:)``
    /// packs its one part the same way), and every query part's blocks are spread over the
    /// workers together. Each query row is computed as it would be in the concatenated query
    /// sequence (rows are independent), so the results equal attention over the concatenations,
    /// split again, bit for bit.
    public static func fusedJointAttention(queries: [Tensor], keys: [Tensor], values: [Tensor], heads: Int,
                                           path: AttentionKernelPath = .current) -> [Tensor] {
        let pathCode = path.code
        return OperationProfiler.measure("attention") {
            let batch = queries[0].shape[0], width = queries[0].shape[2], headDimension = width / heads
            let keyLengths = keys.map { $0.shape[1] }
            let keyLength = keyLengths.reduce(0, +)
            let scale = 1 / Float(headDimension).squareRoot()
            let keysCount = sd_attention_packed_keys_count(keyLength, headDimension)
            let valuesCount = sd_attention_packed_values_count(keyLength, headDimension)
            let packedKeys = TensorStorage(uninitializedCount: batch * heads * keysCount)
            let packedValues = TensorStorage(uninitializedCount: batch * heads * valuesCount)
            let keyBoxes = UncheckedSendable(keys.map(\.pointer)), valueBoxes = UncheckedSendable(values.map(\.pointer))
            let packedKeysBox = UncheckedSendable(packedKeys.pointer), packedValuesBox = UncheckedSendable(packedValues.pointer)
            parallelFor(batch * heads) { pair in
                let sample = pair / heads, head = pair % heads
                let keysOut = packedKeysBox.value + pair * keysCount, valuesOut = packedValuesBox.value + pair * valuesCount
                var first = 0
                for (part, length) in keyLengths.enumerated() {
                    let offset = sample * length * width + head * headDimension
                    sd_attention_pack_key_rows(keyBoxes.value[part] + offset, first, length, width, headDimension, keysOut)
                    sd_attention_pack_values(valueBoxes.value[part] + offset, length, width, headDimension,
                                             valuesOut + sd_attention_packed_values_count(first, headDimension))
                    first += length
                }
                sd_attention_pad_keys(keyLength, headDimension, keysOut)
            }

            let blockRows = Int(SD_ATTENTION_QUERY_BLOCK)
            let queryLengths = queries.map { $0.shape[1] }
            let blocksPerHead = queryLengths.map { ($0 + blockRows - 1) / blockRows }
            // Work items: the query parts one after the other, each (sample, head, block).
            let partItems = blocksPerHead.map { batch * heads * $0 }
            let items = partItems.reduce(0, +)
            let workers = min(ComputeThreads.count, items)
            let scratchCount = sd_attention_scratch_count(headDimension)
            let scratch = TensorStorage(uninitializedCount: workers * scratchCount)
            let results = queries.map { Tensor(uninitializedShape: $0.shape) }
            let queryBoxes = UncheckedSendable(queries.map(\.pointer)), outputBoxes = UncheckedSendable(results.map(\.pointer))
            let scratchBox = UncheckedSendable(scratch.pointer)
            parallelTasks(items) { worker, range in
                for globalItem in range {
                    var part = 0, item = globalItem
                    while item >= partItems[part] {
                        item -= partItems[part]
                        part += 1
                    }
                    let queryLength = queryLengths[part], blocks = blocksPerHead[part]
                    let pair = item / blocks
                    let sample = pair / heads, head = pair % heads
                    let firstRow = (item % blocks) * blockRows
                    let rows = min(blockRows, queryLength - firstRow)
                    let offset = (sample * queryLength + firstRow) * width + head * headDimension
                    sd_attention_rows(pathCode, queryBoxes.value[part] + offset, rows, width,
                                      packedKeysBox.value + pair * keysCount, packedValuesBox.value + pair * valuesCount,
                                      keyLength, headDimension, scale, outputBoxes.value[part] + offset, width,
                                      scratchBox.value + worker * scratchCount)
                }
            }
            return results
        }
    }

    /// Unmasked attention of each query part against the key and value parts concatenated along
    /// the sequence: the fused kernel without building the concatenations, or, under
    /// `SEMANTIC_DRAW_ATTENTION=tiled`, the tiled path on the concatenations.
    static func cpuJointAttention(queries: [Tensor], keys: [Tensor], values: [Tensor], heads: Int) -> [Tensor] {
        let batch = queries.first?.shape[0], width = queries.first?.shape[2]
        precondition(!queries.isEmpty && !keys.isEmpty && keys.count == values.count
                     && (queries + keys).allSatisfy { $0.rank == 3 && $0.shape[0] == batch && $0.shape[2] == width }
                     && zip(keys, values).allSatisfy { $0.shape == $1.shape },
                     "joint attention: queries \(queries.map(\.shape)) keys \(keys.map(\.shape)) values \(values.map(\.shape))")
        precondition(queries[0].shape[2] % heads == 0, "joint attention: width \(queries[0].shape[2]) not divisible by \(heads) heads")
        if attentionForcesTiles {
            let key = keys.count == 1 ? keys[0] : cpuConcatenateChannels(keys)
            let value = values.count == 1 ? values[0] : cpuConcatenateChannels(values)
            return queries.map { tiledAttention(query: $0, key: key, value: value, heads: heads, causal: false, scoreTileLimit: attentionScoreTileLimit) }
        }
        return fusedJointAttention(queries: queries, keys: keys, values: values, heads: heads)
    }

    /// Attention with a full row of scores per query: work is split into (sample, head, query
    /// tile) items over the workers; each tile keeps tile x Sk scores (at most
    /// `scoreTileLimit` floats) and uses two single-threaded GEMMs and a masked row softmax.
    static func tiledAttention(query: Tensor, key: Tensor, value: Tensor, heads: Int, causal: Bool,
                               scoreTileLimit: Int) -> Tensor {
        OperationProfiler.measure("attention") {
            let batch = query.shape[0], queryLength = query.shape[1], keyLength = key.shape[1]
            let width = query.shape[2]
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
