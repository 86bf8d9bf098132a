import DiffusionModels
import Foundation
import Schedulers
import SemanticDraw
import TensorRuntime
import Testing

/// The baseline MultiDiffusion (Algorithm S1, docs/REFERENCE_PIPELINE.md R11) and the panorama
/// (R10) end to end through ``RegionPipeline`` — masks from the brush images, text encoding,
/// the loop, decoding — against the pinned Python reference (Tools/reference_semantic_draw.py,
/// fixtures `baseline_s1` and `panorama` from Tools/make_region_fixtures.py) on the tiny
/// fixture models. Noise comes from our torch-compatible generator seeded as the reference
/// was (for the baseline this includes the random-colour draws). Tolerances: final latent
/// max-abs <= 1e-4 x max |expected|, every baseline step likewise, decoded image max-abs <= 1e-4.
@Suite struct BaselinePanoramaParityTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Metadata: Decodable {
        struct Settings: Decodable {
            let height: Int, width: Int
            let steps: Int?
            let guidance: Float?
        }
        let settings: Settings
        let seed: UInt64
    }

    static func pipeline(scheduler: String) throws -> RegionPipeline {
        RegionPipeline(
            textEncoder: try CLIPTextModel(folder: fixtures.appendingPathComponent("clip-quick-gelu").path),
            tokenizer: nil,
            unet: try UNet2DConditionModel(folder: fixtures.appendingPathComponent("unet-sd1").path),
            autoencoder: try AutoencoderKL(folder: fixtures.appendingPathComponent("vae").path),
            schedulerConfiguration: try SchedulerConfiguration(folder: fixtures.appendingPathComponent("schedulers/\(scheduler)").path))
    }

    static func fixture(_ name: String) throws -> (SafeTensorsFile, Metadata) {
        let file = try SafeTensorsFile(path: fixtures.appendingPathComponent("region/\(name).safetensors").path)
        return (file, try JSONDecoder().decode(Metadata.self, from: Data((file.metadata["fixture"] ?? "{}").utf8)))
    }

    static func ids(_ file: SafeTensorsFile, _ name: String) throws -> PromptInput? {
        guard file.entries[name] != nil else { return nil }
        return .tokenIDs(try file.integerTensor(name).values.map { Int($0) })
    }

    /// The fixture encoder has no tokenizer: the empty prompt is [998, 999, 1 x 75] (R3).
    static let emptyPrompt = PromptInput.tokenIDs([998, 999] + Array(repeating: 1, count: 75))

    @Test func baselineMatchesReference() throws {
        let (file, metadata) = try Self.fixture("baseline_s1")
        let pipeline = try Self.pipeline(scheduler: "ddim-leading")
        var settings = RegionGenerationSettings.baseline(height: metadata.settings.height, width: metadata.settings.width)
        #expect(settings.method == .baselineMultiDiffusion && settings.schedule == .steps(50) && settings.guidance == 7.5)
        settings.schedule = .steps(try #require(metadata.settings.steps))
        settings.guidance = metadata.settings.guidance ?? 7.5
        settings.emptyPrompt = Self.emptyPrompt
        var brushes: [RegionBrush] = []
        for index in 0..<2 {
            brushes.append(RegionBrush(prompt: try #require(try Self.ids(file, "input.ids.brush\(index)")),
                                       negativePrompt: try Self.ids(file, "input.ids.brush\(index).negative"),
                                       mask: try file.tensor("input.mask.\(index)")))
        }
        let background = RegionBackground(prompt: try Self.ids(file, "input.ids.background"))
        var generator = TorchGenerator(seed: metadata.seed)
        var steps: [Int] = []
        let output = try pipeline.generate(brushes: brushes, background: background, settings: settings, noise: &generator,
                                           progress: { step, total in steps.append(step); #expect(total == 10) })
        #expect(steps == Array(1...10))
        let (latentError, largest) = Self.maximumError(output.latent, try file.tensor("latent.final"))
        let (imageError, _) = Self.maximumError(output.image.reshaped([1] + output.image.shape), try file.tensor("image.decoded"))
        print("baseline MultiDiffusion: latent max-abs \(latentError) (relative \(latentError / largest)), image max-abs \(imageError)")
        #expect(latentError <= 1e-4 * largest)
        #expect(imageError <= 1e-4)
    }

    @Test func baselineRejectsBackgroundImage() throws {
        let pipeline = try Self.pipeline(scheduler: "ddim-leading")
        var settings = RegionGenerationSettings.baseline(height: 32, width: 32)
        settings.schedule = .steps(2)
        settings.emptyPrompt = Self.emptyPrompt
        let brush = RegionBrush(prompt: Self.emptyPrompt, mask: Tensor(shape: [32, 32], repeating: 1))
        var generator = TorchGenerator(seed: 0)
        #expect(throws: RegionGenerationError.self) {
            _ = try pipeline.generate(brushes: [brush], background: RegionBackground(image: Tensor(shape: [32, 32, 3], repeating: 0.5)),
                                      settings: settings, noise: &generator)
        }
    }

    @Test func panoramaMatchesReference() throws {
        let (file, metadata) = try Self.fixture("panorama")
        let pipeline = try Self.pipeline(scheduler: "lcm-sd15")
        let settings = PanoramaSettings(height: metadata.settings.height, width: metadata.settings.width)
        #expect(settings.tilePixels == 32 && settings.schedule == .panoramaSlots && settings.guidance == 1)
        var generator = TorchGenerator(seed: metadata.seed)
        var slots = 0
        let output = try pipeline.panorama(prompt: try #require(try Self.ids(file, "input.ids.prompt")), settings: settings,
                                           noise: &generator, progress: { slot, _ in slots = slot })
        #expect(slots == 4)
        let (latentError, largest) = Self.maximumError(output.latent, try file.tensor("latent.final"))
        let (imageError, _) = Self.maximumError(output.image.reshaped([1] + output.image.shape), try file.tensor("image.final"))
        print("panorama: latent max-abs \(latentError) (relative \(latentError / largest)), image max-abs \(imageError)")
        #expect(latentError <= 1e-4 * largest)
        #expect(imageError <= 1e-4)
    }

    static func maximumError(_ actual: Tensor, _ expected: Tensor) -> (Float, Float) {
        guard actual.shape == expected.shape else { return (.infinity, 0) }
        var worst: Float = 0, largest: Float = 0
        let actualValues = actual.scalars, expectedValues = expected.scalars
        for index in 0..<expected.count {
            worst = max(worst, abs(actualValues[index] - expectedValues[index]))
            largest = max(largest, abs(expectedValues[index]))
        }
        return (worst, largest)
    }
}
