import Foundation
import SemanticDraw
import TensorRuntime
import Testing

/// Mask preprocessing (docs/ALGORITHM.md §2) against the PyTorch 2.13.0 implementation in
/// Tools/make_mask_fixtures.py (Tests/Fixtures/masks/): two canvases (64 x 64 and 96 x 128, one
/// mask given at 48 x 64, an empty mask, a full-canvas brush), blur std 0, 1 and 8, alpha 1 and
/// 0.6, discrete and continuous quantisation, the default 5-slot and a 4-slot noise-level list.
///
/// Tolerances: blurred full-resolution masks 1e-6 max-abs (both sides sum in float64 and round
/// once; the measured difference is printed); continuous masks and background weights 1e-5;
/// discrete masks exactly, except at a tie — a sample whose reference value m = blurred * alpha
/// lies within 1e-6 of the threshold b_i, where float round-off decides; ties are counted and
/// printed, and the background weight is not compared at a tie's latent pixel and slot.
@Suite struct MaskProcessingTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/masks")

    struct Configuration: Decodable {
        let name: String
        let blurStd: [Double]
        let alphas: [Float]
        let quantization: String
        let slots: Int
        enum CodingKeys: String, CodingKey {
            case name, alphas, quantization, slots
            case blurStd = "blur_std"
        }
    }

    struct FixtureDescription: Decodable {
        let configurations: [Configuration]
        let height: Int
        let width: Int
        let cover: Double
    }

    static func maximumDifference(_ actual: Tensor, _ expected: Tensor) -> Float {
        var worst: Float = 0
        let actualValues = actual.scalars, expectedValues = expected.scalars
        for index in 0..<expected.count { worst = max(worst, abs(actualValues[index] - expectedValues[index])) }
        return worst
    }

    @Test(arguments: ["square", "wide"])
    func matchesPyTorchReference(canvas: String) throws {
        let file = try SafeTensorsFile(path: Self.fixtures.appendingPathComponent("\(canvas).safetensors").path)
        let description = try JSONDecoder().decode(FixtureDescription.self, from: Data((file.metadata["fixture"] ?? "").utf8))
        let brushCount = file.keys.filter { $0.hasPrefix("mask_") }.count
        let masks = try (0..<brushCount).map { try file.tensor("mask_\($0)") }
        let height = description.height, width = description.width
        let latentHeight = height / 8, latentWidth = width / 8
        for (index, configuration) in description.configurations.enumerated() {
            let label = "\(canvas)/\(configuration.name)"
            let quantization = try #require(MaskQuantization(rawValue: configuration.quantization))
            let options = MaskProcessingOptions(blurStandardDeviations: configuration.blurStd, alphas: configuration.alphas,
                                                quantization: quantization, coverFactor: description.cover)
            let noiseLevels = try file.tensor("c\(index)/noise_levels").scalars
            let expectedBlurred = try file.tensor("c\(index)/blurred")
            let expectedLatent = try file.tensor("c\(index)/latent")
            let expectedBackground = try file.tensor("c\(index)/background")

            let blurred = try MaskProcessor.blurredMasks(masks: masks, height: height, width: width, options: options)
            try #require(blurred.shape == expectedBlurred.shape, "\(label): \(blurred.shape) vs \(expectedBlurred.shape)")
            let blurredError = Self.maximumDifference(blurred, expectedBlurred)
            #expect(blurredError <= 1e-6, "\(label) blurred: max-abs \(blurredError)")

            let processed = try MaskProcessor.latentMasks(masks: masks, height: height, width: width,
                                                          noiseLevels: noiseLevels, options: options)
            try #require(processed.latent.shape == expectedLatent.shape, "\(label): \(processed.latent.shape) vs \(expectedLatent.shape)")
            try #require(processed.background.shape == expectedBackground.shape)

            let slotCount = noiseLevels.count, plane = latentHeight * latentWidth
            var ties = Set<Int>()  // slot * plane + pixel
            var tieCount = 0, mismatches = 0
            var latentError: Float = 0
            let latentValues = processed.latent.scalars, expectedLatentValues = expectedLatent.scalars
            let expectedBlurredValues = expectedBlurred.scalars
            for brush in 0..<brushCount {
                for slot in 0..<slotCount {
                    for pixel in 0..<plane {
                        let index = (brush * slotCount + slot) * plane + pixel
                        let actual = latentValues[index], expected = expectedLatentValues[index]
                        if quantization == .continuous {
                            latentError = max(latentError, abs(actual - expected))
                        } else if actual != expected {
                            let row = pixel / latentWidth, column = pixel % latentWidth
                            let reference = expectedBlurredValues[(brush * height + row * 8) * width + column * 8] * configuration.alphas[brush]
                            if abs(reference - noiseLevels[slot]) <= 1e-6 {
                                tieCount += 1
                                ties.insert(slot * plane + pixel)
                            } else {
                                mismatches += 1
                            }
                        }
                    }
                }
            }
            var backgroundError: Float = 0
            let backgroundValues = processed.background.scalars, expectedBackgroundValues = expectedBackground.scalars
            for index in 0..<expectedBackground.count where !ties.contains(index) {
                backgroundError = max(backgroundError, abs(backgroundValues[index] - expectedBackgroundValues[index]))
            }
            print("masks \(label): blurred max-abs \(blurredError), latent max-abs \(latentError), "
                  + "discrete mismatches \(mismatches), ties \(tieCount), background max-abs \(backgroundError)")
            #expect(mismatches == 0, "\(label): \(mismatches) discrete masks differ away from a threshold")
            #expect(latentError <= 1e-5, "\(label): continuous masks max-abs \(latentError)")
            #expect(backgroundError <= 1e-5, "\(label): background max-abs \(backgroundError)")

            // The full path (blur everywhere, then sample) equals the fast path exactly.
            let fromBlurred = try MaskProcessor.latentMasks(blurredMasks: blurred, noiseLevels: noiseLevels, options: options)
            #expect(fromBlurred.latent.scalars == processed.latent.scalars, "\(label): fast path differs from the full path")
            #expect(fromBlurred.background.scalars == processed.background.scalars)
        }
    }

    /// Random smooth-ish masks, odd blur widths and cover: the sample-point blur must equal the
    /// full-resolution blur sampled at (8i, 8j), bit for bit.
    @Test(arguments: [MaskQuantization.discrete, .continuous])
    func fastPathEqualsFullPath(quantization: MaskQuantization) throws {
        var generator = SystemRandomNumberGenerator()
        let height = 72, width = 136
        let masks = (0..<4).map { brush -> Tensor in
            let size = brush == 2 ? (40, 52) : (height, width)
            let values = (0..<(size.0 * size.1)).map { _ in Float.random(in: 0...1, using: &generator) < 0.4 ? 0 : Float.random(in: 0...1, using: &generator) }
            return Tensor(shape: [size.0, size.1], values: values)
        }
        let options = MaskProcessingOptions(blurStandardDeviations: [2.5, 0, 8, 0.4], alphas: [0.8, 1, 0.55, 1],
                                            quantization: quantization)
        let noiseLevels: [Float] = [0.99767, 0.99419, 0.97354, 0.84990, 0.58397]
        let fast = try MaskProcessor.latentMasks(masks: masks, height: height, width: width, noiseLevels: noiseLevels, options: options)
        let blurred = try MaskProcessor.blurredMasks(masks: masks, height: height, width: width, options: options)
        let full = try MaskProcessor.latentMasks(blurredMasks: blurred, noiseLevels: noiseLevels, options: options)
        #expect(fast.latent.shape == [4, 5, 1, 9, 17])
        #expect(fast.background.shape == [5, 1, 9, 17])
        #expect(fast.latent.scalars == full.latent.scalars)
        #expect(fast.background.scalars == full.background.scalars)
    }

    @Test func rejectsBadInput() throws {
        let mask = Tensor.zeros([16, 16])
        let levels: [Float] = [0.9, 0.5]
        func latent(_ masks: [Tensor] = [mask], height: Int = 16, width: Int = 16, levels: [Float] = levels,
                    options: MaskProcessingOptions = .stream(brushCount: 1)) throws {
            _ = try MaskProcessor.latentMasks(masks: masks, height: height, width: width, noiseLevels: levels, options: options)
        }
        #expect(throws: MaskProcessingError.noMasks) { try latent([], options: .stream(brushCount: 0)) }
        #expect(throws: MaskProcessingError.imageSizeNotMultipleOfEight(height: 20, width: 16)) { try latent(height: 20) }
        #expect(throws: MaskProcessingError.optionCountMismatch(option: "blurStandardDeviations", count: 2, brushCount: 1)) {
            try latent(options: .stream(brushCount: 2))
        }
        #expect(throws: MaskProcessingError.optionCountMismatch(option: "alphas", count: 0, brushCount: 1)) {
            try latent(options: MaskProcessingOptions(blurStandardDeviations: [1], alphas: [], quantization: .discrete))
        }
        #expect(throws: MaskProcessingError.invalidBlurStandardDeviation(brush: 0, value: -1)) {
            try latent(options: MaskProcessingOptions(blurStandardDeviations: [-1], alphas: [1], quantization: .discrete))
        }
        #expect(throws: MaskProcessingError.alphaOutOfRange(brush: 0, value: 1.5)) {
            try latent(options: MaskProcessingOptions(blurStandardDeviations: [1], alphas: [1.5], quantization: .discrete))
        }
        #expect(throws: MaskProcessingError.maskValueOutOfRange(brush: 1, value: 255)) {
            try latent([mask, Tensor(shape: [16, 16], repeating: 255)], options: .stream(brushCount: 2))
        }
        #expect(throws: MaskProcessingError.maskNotTwoDimensional(brush: 0, shape: [1, 16, 16])) {
            try latent([mask.reshaped([1, 16, 16])])
        }
        #expect(throws: MaskProcessingError.noNoiseLevels) { try latent(levels: []) }
        #expect(throws: MaskProcessingError.invalidNoiseLevels([0.5, 0.9])) { try latent(levels: [0.5, 0.9]) }
        #expect(throws: MaskProcessingError.blurredMasksShape([16, 16])) {
            try MaskProcessor.latentMasks(blurredMasks: mask, noiseLevels: levels, options: .stream(brushCount: 1))
        }
        let message = String(describing: MaskProcessingError.alphaOutOfRange(brush: 2, value: 1.5))
        #expect(message.contains("1.5") && message.contains("brush 2"))
    }

    /// Hand-checkable cases: cover by a later brush, strict comparison, nearest sampling.
    @Test func coverAndStrictThreshold() throws {
        let height = 16, width = 16
        var first = [Float](repeating: 1, count: height * width)
        var second = [Float](repeating: 0, count: height * width)
        for row in 0..<height { for column in 8..<width { second[row * width + column] = 1 } }
        first[0] = 0.5  // latent pixel (0, 0) samples image pixel (0, 0)
        let masks = [Tensor(shape: [height, width], values: first), Tensor(shape: [height, width], values: second)]
        let options = MaskProcessingOptions(blurStandardDeviations: [0, 0], alphas: [1, 1], quantization: .discrete)
        let processed = try MaskProcessor.latentMasks(masks: masks, height: height, width: width, noiseLevels: [0.5, 0.35], options: options)
        // Brush 0: 0.5 at (0,0): not > 0.5 but > 0.35; covered to 0.3 under brush 1 (latent column 1): > neither.
        #expect(processed.latent.scalars[0..<4] == [0, 0, 1, 0])
        #expect(processed.latent.scalars[4..<8] == [1, 0, 1, 0])
        #expect(processed.latent.scalars[8..<16] == [0, 1, 0, 1, 0, 1, 0, 1])
        #expect(processed.background.scalars == [1, 0, 0, 0, 0, 0, 0, 0])
    }
}
