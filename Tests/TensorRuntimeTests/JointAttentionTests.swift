import Testing
@testable import TensorRuntime

/// ``Tensor/jointAttention(queries:keys:values:heads:)`` (SD3's joint attention without
/// concatenations) against the attention of the concatenated queries, keys and values, split
/// again: equal bit for bit, on every fused-kernel path this CPU runs.
@Suite struct JointAttentionTests {
    /// Query and key part lengths (parts not multiples of the 16-key group or the 96-query
    /// block), batch, heads and head size.
    struct Case: Sendable, CustomTestStringConvertible {
        let queryLengths: [Int], keyLengths: [Int], batch: Int, heads: Int, headDimension: Int
        var testDescription: String { "queries \(queryLengths), keys \(keyLengths), batch \(batch), \(heads) x \(headDimension)" }
    }

    static let cases = [
        Case(queryLengths: [100, 13], keyLengths: [100, 13], batch: 2, heads: 2, headDimension: 64),   // SD3-shaped, small
        Case(queryLengths: [37], keyLengths: [21, 290, 5], batch: 1, heads: 3, headDimension: 40),     // three key parts
        Case(queryLengths: [7, 200, 1], keyLengths: [16, 48], batch: 2, heads: 1, headDimension: 5),  // whole groups, tiny head
    ]

    @Test(arguments: cases, AttentionKernelPath.allCases.filter(\.isSupported))
    func equalsAttentionOverTheConcatenation(_ testCase: Case, path: AttentionKernelPath) {
        var random = SplitMix64(seed: 31)
        let width = testCase.heads * testCase.headDimension
        let queries = testCase.queryLengths.map { random.tensor([testCase.batch, $0, width], -2, 2) }
        let keys = testCase.keyLengths.map { random.tensor([testCase.batch, $0, width], -2, 2) }
        let values = testCase.keyLengths.map { random.tensor([testCase.batch, $0, width]) }
        let joint = Tensor.fusedJointAttention(queries: queries, keys: keys, values: values, heads: testCase.heads, path: path)

        let whole = Tensor.fusedAttention(query: Tensor.concatenateChannels(queries), key: Tensor.concatenateChannels(keys),
                                          value: Tensor.concatenateChannels(values), heads: testCase.heads, path: path)
        var first = 0
        for (part, length) in testCase.queryLengths.enumerated() {
            let expected = whole.cropped(to: SpatialRegion(top: first, left: 0, height: length, width: width))
            #expect(joint[part].shape == expected.shape)
            #expect(joint[part].scalars == expected.scalars, "query part \(part)")
            first += length
        }
    }

    /// The public entry point picks the fused kernel and gives the same result.
    @Test func publicEntryPointMatchesTheFusedKernel() {
        var random = SplitMix64(seed: 32)
        let queries = [random.tensor([1, 30, 16]), random.tensor([1, 9, 16])]
        let keys = [random.tensor([1, 30, 16]), random.tensor([1, 9, 16])]
        let values = [random.tensor([1, 30, 16]), random.tensor([1, 9, 16])]
        let result = Tensor.jointAttention(queries: queries, keys: keys, values: values, heads: 4)
        let fused = Tensor.fusedJointAttention(queries: queries, keys: keys, values: values, heads: 4)
        #expect(result.map(\.scalars) == fused.map(\.scalars))
    }
}
