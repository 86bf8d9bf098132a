import Foundation
import Testing
@testable import TensorRuntime

/// Convolutions and linear layers with bf16 weights against double-precision loops over the
/// float32 weights, with the bound derived in ``BFloat16KernelTests`` (K = Cin x kh x kw) for
/// im2col and pointwise convolutions and linear layers, on the forced AVX2 fallback and on the
/// default path (the native one where the CPU has it).
@Suite(.serialized) struct BFloat16ConvolutionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let input: [Int]
        let outChannels: Int
        let kernel: Int
        let stride: Int
        let padding: Padding2D
        var testDescription: String { "\(input) -> \(outChannels) k\(kernel) s\(stride)" }
    }

    static let cases: [Case] = [
        Case(input: [2, 5, 9, 7], outChannels: 19, kernel: 3, stride: 1, padding: Padding2D(1)),
        Case(input: [1, 7, 11, 10], outChannels: 33, kernel: 3, stride: 2, padding: Padding2D(top: 0, bottom: 1, left: 0, right: 1)),
        Case(input: [3, 37, 5, 6], outChannels: 17, kernel: 1, stride: 1, padding: Padding2D(0)),
        Case(input: [1, 3, 8, 8], outChannels: 4, kernel: 4, stride: 4, padding: Padding2D(0)),
    ]

    /// conv2d in double: the values and sum |x w| per output element.
    static func reference(_ input: Tensor, _ weight: Tensor, bias: Tensor, stride: Int, padding: Padding2D) -> ([Double], [Double], [Int]) {
        let x = input.scalars, w = weight.scalars, b = bias.scalars
        let (batch, inChannels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (outChannels, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let outHeight = (height + padding.top + padding.bottom - kh) / stride + 1
        let outWidth = (width + padding.left + padding.right - kw) / stride + 1
        var values: [Double] = [], scale: [Double] = []
        for image in 0..<batch {
            for output in 0..<outChannels {
                for oy in 0..<outHeight {
                    for ox in 0..<outWidth {
                        var sum = Double(b[output]), magnitude = abs(Double(b[output]))
                        for channel in 0..<inChannels {
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let y = oy * stride - padding.top + ky, xx = ox * stride - padding.left + kx
                                    guard y >= 0, y < height, xx >= 0, xx < width else { continue }
                                    let product = Double(x[((image * inChannels + channel) * height + y) * width + xx])
                                        * Double(w[((output * inChannels + channel) * kh + ky) * kw + kx])
                                    sum += product
                                    magnitude += abs(product)
                                }
                            }
                        }
                        values.append(sum)
                        scale.append(magnitude)
                    }
                }
            }
        }
        return (values, scale, [batch, outChannels, outHeight, outWidth])
    }

    static var paths: [BFloat16KernelPath] {
        Array(Set([BFloat16KernelPath.avx2, .avx512, .fastest].filter(\.isSupported) + [.scalar])).sorted { $0.rawValue < $1.rawValue }
    }

    @Test(arguments: cases)
    func convolutionIsWithinTheBound(_ testCase: Case) {
        var random = SplitMix64(seed: 21)
        let input = random.tensor(testCase.input)
        let weight = random.tensor([testCase.outChannels, testCase.input[1], testCase.kernel, testCase.kernel])
        let bias = random.tensor([testCase.outChannels])
        let (expected, scale, shape) = Self.reference(input, weight, bias: bias, stride: testCase.stride, padding: testCase.padding)
        let half = weight.converted(to: .bfloat16)
        let depth = testCase.input[1] * testCase.kernel * testCase.kernel
        for path in Self.paths {
            #expect(BFloat16GEMM.force(path))
            defer { BFloat16GEMM.force(nil) }
            let actual = input.conv2d(weight: half, bias: bias, stride: testCase.stride, padding: testCase.padding, algorithm: .im2col)
            #expect(actual.shape == shape)
            let bound = BFloat16KernelTests.bound(depth, path: path)
            let worst = zip(actual.scalars, zip(expected, scale)).map { abs(Double($0) - $1.0) / (bound * $1.1) }.max() ?? 0
            #expect(worst <= 1, "\(path): error / derived bound = \(worst)")
        }
    }

    /// Winograd widens the bf16 weights and runs its transforms and products in float32, so
    /// its result is the float32 Winograd convolution of the rounded weights: within 1e-6
    /// (F(2x2)) or 1e-5 (F(4x4)) of max |output| of a double loop over the rounded weights (the
    /// accuracy WinogradTests holds float32 Winograd to), and within the fallback's derived
    /// bound of the exact convolution.
    @Test(arguments: [ConvolutionAlgorithm.winograd, .winograd4x4])
    func winogradRoundsOnlyTheWeights(algorithm: ConvolutionAlgorithm) {
        var random = SplitMix64(seed: 23)
        let input = random.tensor([2, 40, 13, 11])
        let weight = random.tensor([35, 40, 3, 3])
        let bias = random.tensor([35])
        let half = weight.converted(to: .bfloat16)
        let (exact, scale, _) = Self.reference(input, weight, bias: bias, stride: 1, padding: Padding2D(1))
        let (rounded, _, _) = Self.reference(input, half.converted(to: .float32), bias: bias, stride: 1, padding: Padding2D(1))
        let largest = rounded.map(abs).max() ?? 1
        let actual = input.conv2d(weight: half, bias: bias, padding: Padding2D(1), algorithm: algorithm).scalars
        let error = zip(actual, rounded).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(error / largest < (algorithm == .winograd ? 1e-6 : 1e-5), "max error vs rounded weights / max |output| = \(error / largest)")
        let bound = BFloat16KernelTests.bound(40 * 9, path: .avx2)
        // The Winograd arithmetic's own error (above) on top of the per-weight rounding bound.
        let worst = zip(actual, zip(exact, scale)).map { abs(Double($0) - $1.0) / (bound * $1.1 + 1e-5 * largest) }.max() ?? 0
        #expect(worst <= 1, "error / derived bound = \(worst)")
    }

    @Test func linearIsWithinTheBound() {
        var random = SplitMix64(seed: 25)
        let input = random.tensor([3, 7, 71])
        let weight = random.tensor([45, 71]), bias = random.tensor([45])
        let x = input.scalars, w = weight.scalars, b = bias.scalars
        for path in Self.paths {
            #expect(BFloat16GEMM.force(path))
            defer { BFloat16GEMM.force(nil) }
            let actual = input.linear(weight: weight.converted(to: .bfloat16), bias: bias)
            #expect(actual.shape == [3, 7, 45])
            let values = actual.scalars
            let bound = BFloat16KernelTests.bound(71, path: path)
            var worst = 0.0
            for row in 0..<21 {
                for output in 0..<45 {
                    var sum = Double(b[output]), magnitude = abs(Double(b[output]))
                    for p in 0..<71 {
                        let product = Double(x[row * 71 + p]) * Double(w[output * 71 + p])
                        sum += product
                        magnitude += abs(product)
                    }
                    worst = max(worst, abs(Double(values[row * 45 + output]) - sum) / (bound * magnitude))
                }
            }
            #expect(worst <= 1, "\(path): error / derived bound = \(worst)")
        }
    }
}
