import Foundation
import TensorRuntime
import Testing

/// The kernels the SD3 transformer adds (adaptive layer norm, RMS norm, gated residual,
/// unpatchify) against plain double-precision loops computed here.
@Suite struct TransformerKernelTests {
    private func expectClose(_ actual: Tensor, _ expected: [Double], absolute: Double, relative: Double = 0,
                             _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let closeness = Closeness(actual.scalars, expected, absolute: absolute, relative: relative)
        #expect(closeness.passes, "\(what): \(closeness)", sourceLocation: sourceLocation)
    }

    private func doubles(_ tensor: Tensor) -> [Double] { tensor.scalars.map(Double.init) }

    /// LN(x) without affine parameters, then * (1 + scale[b]) + shift[b], per sample.
    @Test func modulatedLayerNorm() {
        for features in [37, 32, 1] {
            var random = SplitMix64(seed: 41)
            let batch = 2, rows = 5
            let input = Tensor(shape: [batch, rows, features], values: random.values(batch * rows * features, -2, 6))
            let scale = random.tensor([batch, features], -0.5, 0.5), shift = random.tensor([batch, features])
            let result = input.modulatedLayerNorm(scale: scale, shift: shift, epsilon: 1e-6)
            #expect(result.shape == input.shape)
            let x = doubles(input), s = doubles(scale), b = doubles(shift)
            var expected: [Double] = []
            for row in 0..<(batch * rows) {
                let sample = row / rows
                let values = x[(row * features)..<((row + 1) * features)]
                let mean = values.reduce(0, +) / Double(features)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(features)
                for (index, value) in values.enumerated() {
                    let normalized = (value - mean) / (variance + 1e-6).squareRoot()
                    expected.append(normalized * (1 + s[sample * features + index]) + b[sample * features + index])
                }
            }
            expectClose(result, expected, absolute: 2e-6, relative: 2e-6, "modulatedLayerNorm features=\(features)")
        }
    }

    /// x * rsqrt(mean(x^2) + eps) [* weight] over the last dimension.
    @Test(arguments: [true, false])
    func rmsNorm(withWeight: Bool) {
        for features in [8, 64, 37] {
            var random = SplitMix64(seed: 42)
            let input = Tensor(shape: [3, 4, features], values: random.values(12 * features, -3, 5))
            let weight = withWeight ? random.tensor([features], 0.5, 1.5) : nil
            let result = input.rmsNorm(weight: weight, epsilon: 1e-6)
            #expect(result.shape == input.shape)
            let x = doubles(input), gamma = weight.map(doubles)
            var expected: [Double] = []
            for row in 0..<12 {
                let values = x[(row * features)..<((row + 1) * features)]
                let meanSquare = values.reduce(0) { $0 + $1 * $1 } / Double(features)
                for (index, value) in values.enumerated() {
                    expected.append(value / (meanSquare + 1e-6).squareRoot() * (gamma?[index] ?? 1))
                }
            }
            expectClose(result, expected, absolute: 1e-6, relative: 1e-6, "rmsNorm features=\(features) weight=\(withWeight)")
        }
    }

    /// base + gate[b] * value with per-sample gates.
    @Test func addingGated() {
        var random = SplitMix64(seed: 43)
        let base = random.tensor([2, 3, 19]), value = random.tensor([2, 3, 19]), gate = random.tensor([2, 19])
        let result = base.addingGated(value, gate: gate)
        #expect(result.shape == [2, 3, 19])
        let x = doubles(base), v = doubles(value), g = doubles(gate)
        var expected: [Double] = []
        for index in 0..<(2 * 3 * 19) {
            let gate: Double = g[(index / (3 * 19)) * 19 + index % 19]
            expected.append(x[index] + gate * v[index])
        }
        expectClose(result, expected, absolute: 1e-6, relative: 1e-6, "addingGated")
    }

    /// [B, h*w, p*p*C] -> [B, C, h*p, w*p] as torch's reshape + einsum("nhwpqc->nchpwq").
    @Test func unpatchified() {
        let batch = 2, height = 3, width = 4, patch = 2, channels = 5
        let tokenWidth = patch * patch * channels
        let values = (0..<(batch * height * width * tokenWidth)).map(Float.init)
        let input = Tensor(shape: [batch, height * width, tokenWidth], values: values)
        let result = input.unpatchified(height: height, width: width, patchSize: patch)
        #expect(result.shape == [batch, channels, height * patch, width * patch])
        var expected = [Double](repeating: -1, count: values.count)
        for n in 0..<batch {
            for h in 0..<height {
                for w in 0..<width {
                    for p in 0..<patch {
                        for q in 0..<patch {
                            for c in 0..<channels {
                                let source = ((((n * height + h) * width + w) * patch + p) * patch + q) * channels + c
                                let target = ((n * channels + c) * height * patch + h * patch + p) * width * patch + w * patch + q
                                expected[target] = Double(values[source])
                            }
                        }
                    }
                }
            }
        }
        #expect(!expected.contains(-1))
        expectClose(result, expected, absolute: 0, "unpatchified")
    }
}
