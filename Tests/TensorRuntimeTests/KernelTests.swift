import Foundation
import TensorRuntime
import Testing

/// Every CPU kernel against a plain double-precision loop computed here.
@Suite struct KernelTests {
    private func expectClose(_ actual: Tensor, _ expected: [Double], absolute: Double, relative: Double = 0,
                             _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let closeness = Closeness(actual.scalars, expected, absolute: absolute, relative: relative)
        #expect(closeness.passes, "\(what): \(closeness)", sourceLocation: sourceLocation)
    }

    private func doubles(_ tensor: Tensor) -> [Double] { tensor.scalars.map(Double.init) }

    // MARK: Linear algebra

    @Test(arguments: [true, false])
    func linear(withBias: Bool) {
        var random = SplitMix64(seed: 11)
        let input = random.tensor([2, 3, 17]), weight = random.tensor([5, 17]), bias = random.tensor([5])
        let result = input.linear(weight: weight, bias: withBias ? bias : nil)
        #expect(result.shape == [2, 3, 5])
        let x = doubles(input), w = doubles(weight), b = doubles(bias)
        var expected: [Double] = []
        for row in 0..<6 {
            for output in 0..<5 {
                var total = withBias ? b[output] : 0
                for feature in 0..<17 { total += x[row * 17 + feature] * w[output * 17 + feature] }
                expected.append(total)
            }
        }
        expectClose(result, expected, absolute: 1e-5, "linear bias=\(withBias)")
    }

    @Test func matmul() {
        var random = SplitMix64(seed: 12)
        let lhs = random.tensor([2, 3, 4, 7]), rhs = random.tensor([2, 3, 7, 6])
        let result = lhs.matmul(rhs)
        #expect(result.shape == [2, 3, 4, 6])
        let a = doubles(lhs), b = doubles(rhs)
        var expected: [Double] = []
        for batch in 0..<6 {
            for i in 0..<4 {
                for j in 0..<6 {
                    var total = 0.0
                    for k in 0..<7 { total += a[batch * 28 + i * 7 + k] * b[batch * 42 + k * 6 + j] }
                    expected.append(total)
                }
            }
        }
        expectClose(result, expected, absolute: 1e-5, "matmul")
    }

    /// OpenBLAS never runs its generic SSE3 ("Prescott") kernels on these builds' CPUs (AVX2/FMA is
    /// a precondition of x86-64-v3): where it falls back to them on a CPU it does not recognise,
    /// ``BLAS`` re-selects the family the CPU supports (4-5x faster sgemm, docs/PERFORMANCE.md),
    /// and products stay correct afterwards. An explicit `OPENBLAS_CORETYPE` is left alone.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, "OPENBLAS_CORETYPE is set: its choice stands"))
    func openBLASUsesTheKernelsTheCPUSupports() {
        #if arch(x86_64) && os(Linux)
        #expect(!BLAS.implementation.contains("Prescott kernels"), "\(BLAS.implementation)")
        var random = SplitMix64(seed: 5)
        let a = random.tensor([37, 300]), b = random.tensor([300, 41])
        let result = a.matmul(b)
        var expected = [Double](repeating: 0, count: 37 * 41)
        for row in 0..<37 { for column in 0..<41 { for inner in 0..<300 {
            expected[row * 41 + column] += Double(a.scalars[row * 300 + inner]) * Double(b.scalars[inner * 41 + column])
        } } }
        expectClose(result, expected, absolute: 1e-4, "matmul after the kernel choice")
        #endif
    }

    /// One row times a matrix goes through GEMV (split over workers from 2^21 multiply-adds on):
    /// every transpose combination, alpha and beta, an output count that is no multiple of 16.
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func singleRowProduct(transposeA: Bool, transposeB: Bool) {
        let n = 1100, k = 2048, lda = transposeA ? 3 : k
        var random = SplitMix64(seed: 13)
        let a = random.tensor([transposeA ? k * lda : k]).scalars
        let b = random.tensor([k * n]).scalars
        let initial = random.tensor([n]).scalars
        var c = initial
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: 1, n: n, k: k, alpha: 0.5,
                               a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: transposeB ? k : n,
                               beta: 1, c: c.baseAddress!, ldc: n)
                }
            }
        }
        var expected: [Double] = []
        for output in 0..<n {
            var total = 0.0
            for depth in 0..<k {
                let left = Double(a[transposeA ? depth * lda : depth])
                let right = Double(transposeB ? b[output * k + depth] : b[depth * n + output])
                total += left * right
            }
            expected.append(0.5 * total + Double(initial[output]))
        }
        let closeness = Closeness(c, expected, absolute: 1e-4, relative: 1e-5)
        #expect(closeness.passes, "transposeA \(transposeA) transposeB \(transposeB): \(closeness)")
    }

    // MARK: Convolution

    /// One output element of PyTorch's conv2d (cross-correlation, zero padding).
    private static func convolutionElement(
        input: [Double], inputShape: [Int], weight: [Double], weightShape: [Int], bias: [Double]?,
        stride: Int, padding: Padding2D, image: Int, output: Int, y: Int, x: Int
    ) -> Double {
        let channels = inputShape[1], height = inputShape[2], width = inputShape[3]
        let kernelHeight = weightShape[2], kernelWidth = weightShape[3]
        var total = bias?[output] ?? 0
        for channel in 0..<channels {
            for ky in 0..<kernelHeight {
                let sourceY = y * stride - padding.top + ky
                if sourceY < 0 || sourceY >= height { continue }
                for kx in 0..<kernelWidth {
                    let sourceX = x * stride - padding.left + kx
                    if sourceX < 0 || sourceX >= width { continue }
                    total += input[((image * channels + channel) * height + sourceY) * width + sourceX]
                        * weight[((output * channels + channel) * kernelHeight + ky) * kernelWidth + kx]
                }
            }
        }
        return total
    }

    struct ConvolutionCase: Sendable, CustomTestStringConvertible {
        let name: String
        let inputShape: [Int]
        let weightShape: [Int]
        let stride: Int
        let padding: Padding2D
        let bias: Bool
        var testDescription: String { name }
    }

    static let convolutionCases: [ConvolutionCase] = [
        ConvolutionCase(name: "3x3 stride 1 pad 1", inputShape: [2, 3, 9, 11], weightShape: [4, 3, 3, 3], stride: 1, padding: Padding2D(1), bias: true),
        ConvolutionCase(name: "3x3 stride 1 pad 1, no bias", inputShape: [1, 5, 6, 17], weightShape: [3, 5, 3, 3], stride: 1, padding: Padding2D(1), bias: false),
        ConvolutionCase(name: "3x3 stride 2 pad 1 (odd size)", inputShape: [2, 3, 9, 11], weightShape: [4, 3, 3, 3], stride: 2, padding: Padding2D(1), bias: true),
        ConvolutionCase(name: "3x3 stride 2 pad 1 (even size)", inputShape: [1, 4, 8, 8], weightShape: [2, 4, 3, 3], stride: 2, padding: Padding2D(1), bias: false),
        ConvolutionCase(name: "3x3 stride 2 pad (0,1,0,1)", inputShape: [2, 3, 8, 10],
                        weightShape: [4, 3, 3, 3], stride: 2, padding: Padding2D(top: 0, bottom: 1, left: 0, right: 1), bias: true),
        ConvolutionCase(name: "3x3 stride 2 pad (0,1,0,1) odd size", inputShape: [1, 2, 7, 9],
                        weightShape: [3, 2, 3, 3], stride: 2, padding: Padding2D(top: 0, bottom: 1, left: 0, right: 1), bias: true),
        ConvolutionCase(name: "1x1 pointwise", inputShape: [2, 6, 5, 7], weightShape: [3, 6, 1, 1], stride: 1, padding: Padding2D(0), bias: true),
        ConvolutionCase(name: "1x1 pointwise, no bias", inputShape: [3, 4, 4, 4], weightShape: [5, 4, 1, 1], stride: 1, padding: Padding2D(0), bias: false),
        ConvolutionCase(name: "1x1 stride 2", inputShape: [1, 3, 7, 6], weightShape: [2, 3, 1, 1], stride: 2, padding: Padding2D(0), bias: true),
        ConvolutionCase(name: "2x3 asymmetric pad stride 1", inputShape: [1, 2, 5, 6],
                        weightShape: [3, 2, 2, 3], stride: 1, padding: Padding2D(top: 2, bottom: 0, left: 3, right: 1), bias: true),
        ConvolutionCase(name: "3x3 unpadded, kernel as wide as the input", inputShape: [2, 2, 3, 3], weightShape: [2, 2, 3, 3], stride: 1, padding: Padding2D(0), bias: true),
        ConvolutionCase(name: "3x3 pad 1 on a 1x1 input", inputShape: [2, 3, 1, 1], weightShape: [2, 3, 3, 3], stride: 1, padding: Padding2D(1), bias: true),
    ]

    @Test(arguments: convolutionCases)
    func conv2d(_ testCase: ConvolutionCase) {
        var random = SplitMix64(seed: 13)
        let input = random.tensor(testCase.inputShape), weight = random.tensor(testCase.weightShape)
        let bias = random.tensor([testCase.weightShape[0]])
        let result = input.conv2d(weight: weight, bias: testCase.bias ? bias : nil, stride: testCase.stride, padding: testCase.padding)
        let outHeight = (testCase.inputShape[2] + testCase.padding.top + testCase.padding.bottom - testCase.weightShape[2]) / testCase.stride + 1
        let outWidth = (testCase.inputShape[3] + testCase.padding.left + testCase.padding.right - testCase.weightShape[3]) / testCase.stride + 1
        #expect(result.shape == [testCase.inputShape[0], testCase.weightShape[0], outHeight, outWidth])
        let x = doubles(input), w = doubles(weight), b = doubles(bias)
        var expected: [Double] = []
        for image in 0..<testCase.inputShape[0] {
            for output in 0..<testCase.weightShape[0] {
                for y in 0..<outHeight {
                    for column in 0..<outWidth {
                        expected.append(Self.convolutionElement(
                            input: x, inputShape: testCase.inputShape, weight: w, weightShape: testCase.weightShape,
                            bias: testCase.bias ? b : nil, stride: testCase.stride, padding: testCase.padding,
                            image: image, output: output, y: y, x: column))
                    }
                }
            }
        }
        expectClose(result, expected, absolute: 1e-5, testCase.name)
    }

    /// A convolution whose im2col columns exceed ``convolutionScratchLimit``, so they are built
    /// in chunks of output rows; rows on both sides of the chunk boundary are checked.
    @Test func conv2dInChunksOfRows() throws {
        let inputShape = [2, 32, 230, 256], weightShape = [2, 32, 3, 3]
        let reduction = 32 * 9, outHeight = 230, outWidth = 256
        let rowsPerChunk = convolutionScratchLimit / (reduction * outWidth)
        try #require(rowsPerChunk >= 2 && rowsPerChunk < outHeight, "shape does not force chunking")
        var random = SplitMix64(seed: 14)
        let input = random.tensor(inputShape), weight = random.tensor(weightShape), bias = random.tensor([2])
        let result = input.conv2d(weight: weight, bias: bias, stride: 1, padding: Padding2D(1))
        #expect(result.shape == [2, 2, outHeight, outWidth])
        let x = doubles(input), w = doubles(weight), b = doubles(bias)
        let rows = [0, 1, rowsPerChunk - 1, rowsPerChunk, rowsPerChunk + 1, outHeight - 1]
        var actual: [Float] = [], expected: [Double] = []
        let resultValues = result.scalars
        for image in 0..<2 {
            for output in 0..<2 {
                for y in rows {
                    for column in [0, 1, 2, 127, 128, outWidth - 2, outWidth - 1] {
                        actual.append(resultValues[((image * 2 + output) * outHeight + y) * outWidth + column])
                        expected.append(Self.convolutionElement(
                            input: x, inputShape: inputShape, weight: w, weightShape: weightShape, bias: b,
                            stride: 1, padding: Padding2D(1), image: image, output: output, y: y, x: column))
                    }
                }
            }
        }
        let closeness = Closeness(actual, expected, absolute: 1e-4)
        #expect(closeness.passes, "chunked conv2d (\(rowsPerChunk) rows per chunk): \(closeness)")
    }

    // MARK: Normalisation

    @Test(arguments: [false, true])
    func groupNorm(fusedSiLU: Bool) {
        for shape in [[2, 6, 5, 7], [1, 8, 4, 8]] {
            let groups = shape[1] / 2
            var random = SplitMix64(seed: 15)
            let input = Tensor(shape: shape, values: random.values(shape.reduce(1, *), -3, 5))
            let weight = random.tensor([shape[1]], 0.5, 1.5), bias = random.tensor([shape[1]])
            let epsilon: Float = 1e-5
            let result = input.groupNorm(groups: groups, weight: weight, bias: bias, epsilon: epsilon, fusedSiLU: fusedSiLU)
            #expect(result.shape == shape)
            let x = doubles(input), gamma = doubles(weight), beta = doubles(bias)
            let plane = shape[2] * shape[3], perGroup = shape[1] / groups * plane
            var expected = [Double](repeating: 0, count: x.count)
            for batch in 0..<shape[0] {
                for group in 0..<groups {
                    let start = (batch * groups + group) * perGroup
                    let values = x[start..<(start + perGroup)]
                    let mean = values.reduce(0, +) / Double(perGroup)
                    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(perGroup)
                    for offset in 0..<perGroup {
                        let channel = group * (shape[1] / groups) + offset / plane
                        var value = (x[start + offset] - mean) / (variance + Double(epsilon)).squareRoot() * gamma[channel] + beta[channel]
                        if fusedSiLU { value = value / (1 + Foundation.exp(-value)) }
                        expected[start + offset] = value
                    }
                }
            }
            expectClose(result, expected, absolute: 2e-6, relative: 2e-6, "groupNorm \(shape) fusedSiLU=\(fusedSiLU)")
        }
    }

    @Test func layerNorm() {
        for features in [37, 32, 1] {
            var random = SplitMix64(seed: 16)
            let input = Tensor(shape: [3, 5, features], values: random.values(15 * features, -2, 6))
            let weight = random.tensor([features], 0.5, 1.5), bias = random.tensor([features])
            let result = input.layerNorm(weight: weight, bias: bias, epsilon: 1e-5)
            let x = doubles(input), gamma = doubles(weight), beta = doubles(bias)
            var expected: [Double] = []
            for row in 0..<15 {
                let values = x[(row * features)..<((row + 1) * features)]
                let mean = values.reduce(0, +) / Double(features)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(features)
                for (index, value) in values.enumerated() {
                    expected.append((value - mean) / (variance + 1e-5).squareRoot() * gamma[index] + beta[index])
                }
            }
            expectClose(result, expected, absolute: 2e-6, relative: 2e-6, "layerNorm features=\(features)")
        }
    }

    // MARK: Activations

    private static func reference(_ activation: Activation, _ x: Double) -> Double {
        switch activation {
        case .silu: return x / (1 + Foundation.exp(-x))
        case .gelu: return 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot()))
        case .quickGELU: return x / (1 + Foundation.exp(-1.702 * x))
        case .relu: return max(x, 0)
        case .tanh: return Foundation.tanh(x)
        case .geluTanh: return 0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
        }
    }

    /// Inputs over [-30, 30] (a fine grid, random values near 0, and the special points of the
    /// approximations), 1037 in all so the last vector is partial.
    private static func activationInputs() -> [Float] {
        var values: [Float] = (0...600).map { -30 + Float($0) * 0.1 }
        var random = SplitMix64(seed: 17)
        values += random.values(400, -4, 4)
        values += [0, -0.0, 1e-8, -1e-8, 0.04999, 0.05, 0.05001, -0.05, 0.5, -0.5, 1e-3, -1e-3,
                   29.999, -29.999, 30, -30, 5.5, -5.5, 9, -9, 15, -15, 0.7, -0.7, 2.5, -2.5,
                   1e-20, -1e-20, 88, -88, 20, -20, 3.3, -3.3, 0.2, -0.2]
        return values
    }

    @Test(arguments: Activation.allCases)
    func activation(_ activation: Activation) {
        let values = Self.activationInputs()
        #expect(values.count % 16 != 0)
        for count in [values.count, 5, 16, 33] {
            let slice = Array(values.suffix(count))
            let result = Tensor(shape: [count], values: slice).activated(activation)
            #expect(result.shape == [count])
            let expected = slice.map { Self.reference(activation, Double($0)) }
            expectClose(result, expected, absolute: 1e-6, relative: 1e-6, "\(activation) over \(count) values")
        }
    }

    @Test func geglu() {
        for half in [37, 16, 3] {
            var random = SplitMix64(seed: 18)
            let input = Tensor(shape: [2, 3, 2 * half], values: random.values(12 * half, -6, 6))
            let result = input.geglu()
            #expect(result.shape == [2, 3, half])
            let x = doubles(input)
            var expected: [Double] = []
            for row in 0..<6 {
                for index in 0..<half {
                    expected.append(x[row * 2 * half + index] * Self.reference(.gelu, x[row * 2 * half + half + index]))
                }
            }
            expectClose(result, expected, absolute: 1e-6, relative: 1e-6, "geglu half=\(half)")
        }
    }

    private static func softmaxReference(_ row: ArraySlice<Double>) -> [Double] {
        let maximum = row.max() ?? 0
        let exponentials = row.map { Foundation.exp($0 - maximum) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }

    @Test func softmax() {
        for length in [37, 16, 1, 100] {
            var random = SplitMix64(seed: 19)
            var values = random.values(4 * length, -8, 8)
            // A row with large logits (stability) and one with a dominant entry.
            for index in 0..<length { values[length + index] *= 12 }
            values[2 * length] = 80
            let input = Tensor(shape: [2, 2, length], values: values)
            let result = input.softmax()
            #expect(result.shape == [2, 2, length])
            let x = doubles(input)
            let expected = (0..<4).flatMap { row in Self.softmaxReference(x[(row * length)..<((row + 1) * length)]) }
            expectClose(result, expected, absolute: 1e-6, relative: 1e-5, "softmax length=\(length)")
        }
    }

    // MARK: Attention

    /// softmax(q k^T / sqrt(d) [+ causal]) v for the given query rows (all rows when nil).
    private static func attentionReference(query: Tensor, key: Tensor, value: Tensor, heads: Int, causal: Bool,
                                           rows: [Int]? = nil) -> (indices: [Int], values: [Double]) {
        let batch = query.shape[0], queryLength = query.shape[1], keyLength = key.shape[1], width = query.shape[2]
        let headDimension = width / heads
        let scale = 1 / Double(headDimension).squareRoot()
        let q = query.scalars, k = key.scalars, v = value.scalars
        var indices: [Int] = [], values: [Double] = []
        for sample in 0..<batch {
            for row in rows ?? Array(0..<queryLength) {
                for head in 0..<heads {
                    let visible = causal ? min(keyLength, row + 1) : keyLength
                    var scores = [Double](repeating: 0, count: visible)
                    for column in 0..<visible {
                        var total = 0.0
                        for d in 0..<headDimension {
                            total += Double(q[(sample * queryLength + row) * width + head * headDimension + d])
                                * Double(k[(sample * keyLength + column) * width + head * headDimension + d])
                        }
                        scores[column] = total * scale
                    }
                    let probabilities = softmaxReference(scores[...])
                    for d in 0..<headDimension {
                        var total = 0.0
                        for column in 0..<visible {
                            total += probabilities[column] * Double(v[(sample * keyLength + column) * width + head * headDimension + d])
                        }
                        indices.append((sample * queryLength + row) * width + head * headDimension + d)
                        values.append(total)
                    }
                }
            }
        }
        return (indices, values)
    }

    struct AttentionCase: Sendable, CustomTestStringConvertible {
        let name: String
        let batch: Int, queryLength: Int, keyLength: Int, heads: Int, headDimension: Int
        let causal: Bool
        /// Query rows to check (nil: all).
        let rows: [Int]?
        var testDescription: String { name }
    }

    static let attentionCases: [AttentionCase] = [
        AttentionCase(name: "self, 3 heads of 5", batch: 2, queryLength: 19, keyLength: 19, heads: 3, headDimension: 5, causal: false, rows: nil),
        AttentionCase(name: "cross, key length 7", batch: 2, queryLength: 13, keyLength: 7, heads: 2, headDimension: 8, causal: false, rows: nil),
        AttentionCase(name: "cross, one key", batch: 1, queryLength: 6, keyLength: 1, heads: 4, headDimension: 4, causal: false, rows: nil),
        AttentionCase(name: "single head, 33 keys", batch: 3, queryLength: 4, keyLength: 33, heads: 1, headDimension: 16, causal: false, rows: nil),
        AttentionCase(name: "causal self, 2 heads", batch: 2, queryLength: 21, keyLength: 21, heads: 2, headDimension: 4, causal: true, rows: nil),
        AttentionCase(name: "causal, more keys than queries", batch: 1, queryLength: 5, keyLength: 9, heads: 2, headDimension: 3, causal: true, rows: nil),
        // Unmasked, long: 12 query blocks (the last of 44 rows) against four key blocks.
        AttentionCase(name: "fused, 1100 queries against 1000 keys", batch: 1, queryLength: 1100, keyLength: 1000, heads: 2, headDimension: 4, causal: false,
                      rows: [0, 1, 2, 1046, 1047, 1048, 1049, 1050, 1098, 1099]),
        // The fused kernel: 200 queries are blocks of 96, 96 and 8 (the last not a whole 6-row
        // tile); 600 keys are blocks of 256, 256 and 88 (not a whole 16-key group); head sizes
        // 40 (16 + 16 + 8 channels), 64, 88 (five 16-channel tiles and an 8) and 5 (padded to 8).
        AttentionCase(name: "fused, query and key blocks, heads of 40", batch: 2, queryLength: 200, keyLength: 600, heads: 2,
                      headDimension: 40, causal: false, rows: [0, 1, 5, 6, 95, 96, 101, 191, 192, 197, 199]),
        AttentionCase(name: "fused, heads of 64 against 300 keys", batch: 1, queryLength: 97, keyLength: 300, heads: 3,
                      headDimension: 64, causal: false, rows: nil),
        AttentionCase(name: "fused, heads of 88 against 77 keys", batch: 2, queryLength: 33, keyLength: 77, heads: 2,
                      headDimension: 88, causal: false, rows: nil),
        AttentionCase(name: "fused, heads of 5 against 513 keys", batch: 1, queryLength: 7, keyLength: 513, heads: 3,
                      headDimension: 5, causal: false, rows: nil),
        // 1100 x 1100 causal: tiles of 953 rows; the mask must use the tile's first row.
        AttentionCase(name: "causal, two query tiles", batch: 1, queryLength: 1100, keyLength: 1100, heads: 2, headDimension: 4, causal: true,
                      rows: [0, 1, 2, 951, 952, 953, 954, 1098, 1099]),
    ]

    @Test(arguments: attentionCases)
    func attention(_ testCase: AttentionCase) {
        let width = testCase.heads * testCase.headDimension
        var random = SplitMix64(seed: 20)
        let query = random.tensor([testCase.batch, testCase.queryLength, width], -2, 2)
        let key = random.tensor([testCase.batch, testCase.keyLength, width], -2, 2)
        let value = random.tensor([testCase.batch, testCase.keyLength, width])
        // Causal scores in tiles of at most 1 << 20, so the long causal case is split into query tiles.
        let tileLimit = 1 << 20
        if testCase.causal, testCase.rows != nil {
            #expect(testCase.queryLength * testCase.keyLength > tileLimit, "case does not force query tiles")
        }
        let result = Tensor.attention(query: query, key: key, value: value, heads: testCase.heads, causal: testCase.causal,
                                      scoreTileLimit: tileLimit)
        #expect(result.shape == query.shape)
        let (indices, expected) = Self.attentionReference(query: query, key: key, value: value, heads: testCase.heads,
                                                          causal: testCase.causal, rows: testCase.rows)
        let resultValues = result.scalars
        let actual = indices.map { resultValues[$0] }
        let closeness = Closeness(actual, expected, absolute: 2e-6, relative: 1e-5)
        #expect(closeness.passes, "\(testCase.name): \(closeness)")
    }

    /// Every unmasked case through each fused-kernel path this CPU runs (the AVX-512 one: 6 x 64,
    /// 6 x 32 and 6 x 16 score tiles, 64 + 32 + 16 + 8 channel remainders), so the
    /// path `attention` does not pick is checked too.
    @Test(arguments: attentionCases.filter { !$0.causal }, AttentionKernelPath.allCases.filter(\.isSupported))
    func fusedAttentionPath(_ testCase: AttentionCase, path: AttentionKernelPath) {
        let width = testCase.heads * testCase.headDimension
        var random = SplitMix64(seed: 20)
        let query = random.tensor([testCase.batch, testCase.queryLength, width], -2, 2)
        let key = random.tensor([testCase.batch, testCase.keyLength, width], -2, 2)
        let value = random.tensor([testCase.batch, testCase.keyLength, width])
        let result = Tensor.fusedAttention(query: query, key: key, value: value, heads: testCase.heads, path: path)
        let (indices, expected) = Self.attentionReference(query: query, key: key, value: value, heads: testCase.heads,
                                                          causal: false, rows: testCase.rows)
        let resultValues = result.scalars
        let closeness = Closeness(indices.map { resultValues[$0] }, expected, absolute: 2e-6, relative: 1e-5)
        #expect(closeness.passes, "\(testCase.name), \(path): \(closeness)")
    }

    // MARK: Resampling and layout

    @Test(arguments: [1, 2, 3])
    func upsampleNearest(factor: Int) {
        var random = SplitMix64(seed: 21)
        let input = random.tensor([2, 3, 3, 5])
        let result = input.upsampleNearest(factor: factor)
        #expect(result.shape == [2, 3, 3 * factor, 5 * factor])
        let x = input.scalars
        var expected: [Double] = []
        for plane in 0..<6 {
            for y in 0..<(3 * factor) {
                for column in 0..<(5 * factor) { expected.append(Double(x[plane * 15 + (y / factor) * 5 + column / factor])) }
            }
        }
        expectClose(result, expected, absolute: 0, "upsampleNearest x\(factor)")
    }

    @Test(arguments: [(5, 7, 3, 11), (5, 7, 13, 4), (4, 6, 7, 7), (7, 5, 15, 9), (3, 3, 1, 1), (6, 10, 3, 5), (8, 8, 17, 16), (9, 7, 9, 7)])
    func resizedNearest(inHeight: Int, inWidth: Int, outHeight: Int, outWidth: Int) {
        var random = SplitMix64(seed: 22)
        let input = random.tensor([2, 2, inHeight, inWidth])
        let result = input.resizedNearest(height: outHeight, width: outWidth)
        #expect(result.shape == [2, 2, outHeight, outWidth])
        // PyTorch's legacy nearest rule, src = min(floor(dst * in / out), in - 1), in exact integers.
        func source(_ destination: Int, _ input: Int, _ output: Int) -> Int { min(destination * input / output, input - 1) }
        let x = input.scalars
        var expected: [Double] = []
        for plane in 0..<4 {
            for y in 0..<outHeight {
                for column in 0..<outWidth {
                    expected.append(Double(x[(plane * inHeight + source(y, inHeight, outHeight)) * inWidth + source(column, inWidth, outWidth)]))
                }
            }
        }
        expectClose(result, expected, absolute: 0, "resizedNearest \(inHeight)x\(inWidth) -> \(outHeight)x\(outWidth)")
    }

    @Test func concatenateChannels() {
        var random = SplitMix64(seed: 23)
        let parts = [random.tensor([2, 3, 2, 5]), random.tensor([2, 1, 2, 5]), random.tensor([2, 2, 2, 5])]
        let result = Tensor.concatenateChannels(parts)
        #expect(result.shape == [2, 6, 2, 5])
        var expected: [Double] = []
        for image in 0..<2 {
            for part in parts {
                let length = part.shape[1] * 10
                expected += part.scalars[(image * length)..<((image + 1) * length)].map(Double.init)
            }
        }
        expectClose(result, expected, absolute: 0, "concatenateChannels")
    }

    @Test func channelsLastRoundTrip() {
        for shape in [[2, 37, 5, 7], [1, 3, 33, 2], [3, 64, 4, 8]] {
            var random = SplitMix64(seed: 24)
            let input = random.tensor(shape)
            let channels = shape[1], plane = shape[2] * shape[3]
            let last = input.channelsLast()
            #expect(last.shape == [shape[0], plane, channels])
            let x = input.scalars
            var expected: [Double] = []
            for image in 0..<shape[0] {
                for position in 0..<plane {
                    for channel in 0..<channels { expected.append(Double(x[(image * channels + channel) * plane + position])) }
                }
            }
            expectClose(last, expected, absolute: 0, "channelsLast \(shape)")
            let back = last.channelsFirst(height: shape[2], width: shape[3])
            #expect(back.shape == shape)
            #expect(back.scalars == x, "channelsFirst(channelsLast(x)) != x for \(shape)")
        }
    }

    // MARK: Embeddings

    @Test(arguments: [(320, true, Float(0)), (320, false, Float(1)), (32, true, Float(1)), (32, false, Float(0)), (7, true, Float(0))])
    func timestepEmbedding(dimension: Int, flipSinToCos: Bool, shift: Float) {
        let timesteps: [Float] = [0, 1, 3.5, 250, 500.25, 981, 999]
        let result = Tensor.timestepEmbedding(timesteps: timesteps, dimension: dimension, flipSinToCos: flipSinToCos,
                                              downscaleFrequencyShift: shift)
        #expect(result.shape == [timesteps.count, dimension])
        let half = dimension / 2
        var expected: [Double] = []
        for timestep in timesteps {
            var row = [Double](repeating: 0, count: dimension)
            for index in 0..<half {
                let frequency = Foundation.exp(-Foundation.log(10000.0) * Double(index) / (Double(half) - Double(shift)))
                let argument = Double(timestep) * frequency
                row[index] = flipSinToCos ? Foundation.cos(argument) : Foundation.sin(argument)
                row[half + index] = flipSinToCos ? Foundation.sin(argument) : Foundation.cos(argument)
            }
            expected += row
        }
        expectClose(result, expected, absolute: 1e-4, "timestepEmbedding dim \(dimension) flip \(flipSinToCos) shift \(shift)")
    }

    @Test func gatherRows() {
        var random = SplitMix64(seed: 25)
        let table = random.tensor([10, 7])
        let indices = [3, 0, 9, 3, 5]
        let result = table.gatherRows(indices)
        #expect(result.shape == [5, 7])
        let x = table.scalars
        let expected = indices.flatMap { row in x[(row * 7)..<((row + 1) * 7)].map(Double.init) }
        expectClose(result, expected, absolute: 0, "gatherRows")
        #expect(table.gatherRows([]).shape == [0, 7])
    }
}
