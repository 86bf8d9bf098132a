import Testing
@testable import TensorRuntime

/// Winograd F(2x2,3x3) and F(4x4,3x3) against the im2col convolution (itself checked against a
/// double-precision loop in KernelTests): odd sizes, asymmetric and zero padding, batches
/// grouped into one GEMM, and inputs large enough to be split into tile-row chunks.
@Suite struct WinogradTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let inputShape: [Int]
        let outChannels: Int
        let padding: Padding2D
        var testDescription: String { "\(inputShape) -> \(outChannels), padding \(padding)" }
    }

    static let cases: [Case] = [
        Case(inputShape: [1, 3, 8, 8], outChannels: 4, padding: Padding2D(1)),
        Case(inputShape: [2, 5, 9, 13], outChannels: 3, padding: Padding2D(1)),
        Case(inputShape: [3, 4, 7, 6], outChannels: 6, padding: Padding2D(0)),
        Case(inputShape: [1, 2, 11, 5], outChannels: 2, padding: Padding2D(top: 0, bottom: 1, left: 2, right: 0)),
        Case(inputShape: [4, 8, 17, 17], outChannels: 8, padding: Padding2D(1)),
        Case(inputShape: [1, 3, 3, 3], outChannels: 2, padding: Padding2D(1)),
        // Wider than one segment of the transform's row buffers (2048 / 1024 tiles).
        Case(inputShape: [1, 2, 6, 4201], outChannels: 2, padding: Padding2D(1)),
    ]

    @Test(arguments: cases, [ConvolutionAlgorithm.winograd, .winograd4x4])
    func matchesIm2col(_ testCase: Case, algorithm: ConvolutionAlgorithm) {
        var random = SplitMix64(seed: 5)
        let input = random.tensor(testCase.inputShape)
        let weight = random.tensor([testCase.outChannels, testCase.inputShape[1], 3, 3])
        let bias = random.tensor([testCase.outChannels])
        let expected = input.conv2d(weight: weight, bias: bias, padding: testCase.padding, algorithm: .im2col)
        let actual = input.conv2d(weight: weight, bias: bias, padding: testCase.padding, algorithm: algorithm)
        #expect(actual.shape == expected.shape)
        let error = Self.relativeError(actual, expected)
        // F(4x4) amplifies rounding more than F(2x2) (its transforms have entries up to 8 and 1/24).
        #expect(error < (algorithm == .winograd ? 1e-6 : 1e-5), "max-abs error / max |expected| = \(error)")
    }

    /// 64 -> 64 channels at 244 x 244: (positions x 128 channels x tiles) exceeds the scratch
    /// bound for both tile sizes (F(2x2): 16 x 128 x 14884; F(4x4): 36 x 128 x 3721), so the
    /// image is processed in chunks of tile rows.
    @Test(arguments: [ConvolutionAlgorithm.winograd, .winograd4x4])
    func largeInputsAreChunked(algorithm: ConvolutionAlgorithm) {
        var random = SplitMix64(seed: 9)
        let input = random.tensor([1, 64, 244, 244])
        let weight = random.tensor([64, 64, 3, 3])
        let expected = input.conv2d(weight: weight, bias: nil, padding: Padding2D(1), algorithm: .im2col)
        let actual = input.conv2d(weight: weight, bias: nil, padding: Padding2D(1), algorithm: algorithm)
        let error = Self.relativeError(actual, expected)
        #expect(error < (algorithm == .winograd ? 1e-6 : 1e-5), "max-abs error / max |expected| = \(error)")
    }

    /// max |actual - expected| / max |expected|.
    static func relativeError(_ actual: Tensor, _ expected: Tensor) -> Float {
        var worst: Float = 0, largest: Float = 0
        let actualValues = actual.scalars, expectedValues = expected.scalars
        for index in 0..<expected.count {
            worst = max(worst, abs(actualValues[index] - expectedValues[index]))
            largest = max(largest, abs(expectedValues[index]))
        }
        return worst / max(largest, .leastNormalMagnitude)
    }
}
