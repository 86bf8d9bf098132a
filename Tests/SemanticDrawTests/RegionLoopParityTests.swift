import DiffusionModels
import Foundation
import Schedulers
import SemanticDraw
import TensorRuntime
import Testing

/// The slot loop of one-shot region generation (views, bootstrapping with centring and leak
/// suppression, denoise per region, averaging, background fill, noise after averaging) against
/// the pinned Python reference (Tools/reference_semantic_draw.py, docs/REFERENCE_PIPELINE.md R5-R9)
/// run with the tiny fixture models. Inputs the loop does not compute itself (quantised masks,
/// embeddings, background/white/initial latents) and every noise draw come from the fixture, so
/// this isolates the loop; masks and text encoding have their own parity tests.
/// Tolerance: max-abs error <= 1e-4 x max |expected| per slot.
@Suite struct RegionLoopParityTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Metadata: Decodable {
        struct Settings: Decodable {
            let slots: [Int]?
            let tile: Int?
            let guidance: Float?
            let bootstrapSteps: Int?
            let bootstrapMix: Float?
            enum CodingKeys: String, CodingKey {
                case slots, tile, guidance
                case bootstrapSteps = "bootstrap_steps", bootstrapMix = "bootstrap_mix"
            }
        }
        let settings: Settings
        let scaleFactor: Int
        let runner: String
        let draws: [Draw]
        struct Draw: Decodable { let purpose: String }
        enum CodingKeys: String, CodingKey { case settings, runner, draws, scaleFactor = "scale_factor" }
    }

    static let cases = ["two_brushes_bg_prompt", "single_brush_plain", "tiled", "empty_mask", "bootstrap2_mix1.5",
                        "bg_image_blur", "prompt_strength_cfg", "panorama", "bg_image_mean", "white_posterior"]

    @Test(arguments: cases)
    func matchesReference(_ name: String) throws {
        let file = try SafeTensorsFile(path: Self.fixtures.appendingPathComponent("region/\(name).safetensors").path)
        let metadata = try JSONDecoder().decode(Metadata.self, from: Data((file.metadata["fixture"] ?? "{}").utf8))
        let settings = metadata.settings
        let unet = try UNet2DConditionModel(folder: Self.fixtures.appendingPathComponent("unet-sd1").path)
        let configuration = try SchedulerConfiguration(folder: Self.fixtures.appendingPathComponent("schedulers/lcm-sd15").path)
        let defaultSlots = metadata.runner == "panorama" ? [0, 12, 25, 37] : [0, 4, 12, 25, 37]
        let scheduler = try SchedulerKind.lcm.makeScheduler(configuration: configuration, schedule: .slots(settings.slots ?? defaultSlots))
        let masks = try file.tensor("masks.quantised")
        let initial = try file.tensor("latent.initial")
        let height = initial.shape[2], width = initial.shape[3]
        let defaultTile = metadata.runner == "panorama" ? min(min(height, width) * metadata.scaleFactor, 512) : 768
        let views = LatentViews.views(latentHeight: height, latentWidth: width, tilePixels: settings.tile ?? defaultTile,
                                      scaleFactor: metadata.scaleFactor)
        let bootstrapSteps = metadata.runner == "panorama" ? 0 : settings.bootstrapSteps ?? 1
        let loop = RegionDenoisingLoop(
            denoiser: unet, scheduler: scheduler, masks: masks,
            backgroundLatent: file.entries["latent.background"] == nil ? nil : try file.tensor("latent.background"),
            whiteLatent: file.entries["latent.white"] == nil ? nil : try file.tensor("latent.white"),
            bootstrapSteps: bootstrapSteps, bootstrapMix: settings.bootstrapMix ?? 1, views: views)
        let guidance = settings.guidance ?? 1
        let conditioning = RegionConditioning(
            conditional: TextConditioning(context: try file.tensor("embeddings.cond")),
            unconditional: file.entries["embeddings.uncond"] == nil ? nil : TextConditioning(context: try file.tensor("embeddings.uncond")),
            guidance: guidance)
        // The draws up to the initial latent's (posterior samples, then the initial latent,
        // R9/R13) were spent before the loop; the loop takes the rest in order.
        let drawNames = file.keys.filter { $0.hasPrefix("noise.") }.sorted()
        let spent = (metadata.draws.firstIndex { $0.purpose == "initial" } ?? 0) + 1
        var noise = RecordedNoise(try drawNames.dropFirst(spent).map { try file.tensor($0) })
        let result = try loop.run(initialLatent: initial, conditioning: conditioning, noise: &noise)
        #expect(noise.consumed == drawNames.count - spent, "every recorded draw is used, in order")
        for slot in 0..<scheduler.slotCount {
            for (label, actual) in [("denoised", result.denoised[slot]), ("latent", result.latents[slot])] {
                let expected = try file.tensor("slot.\(slot).\(label)")
                try #require(actual.shape == expected.shape)
                var worst: Float = 0, largest: Float = 0
                let actualValues = actual.scalars, expectedValues = expected.scalars
                for index in 0..<expected.count {
                    worst = max(worst, abs(actualValues[index] - expectedValues[index]))
                    largest = max(largest, abs(expectedValues[index]))
                }
                #expect(worst <= 1e-4 * largest, "\(name) slot \(slot) \(label): max-abs \(worst) of max \(largest)")
                if slot == scheduler.slotCount - 1 && label == "latent" {
                    print("region loop \(name): final latent max-abs \(worst), relative \(worst / largest)")
                }
            }
        }
    }
}
