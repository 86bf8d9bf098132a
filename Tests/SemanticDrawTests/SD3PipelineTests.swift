import DiffusionModels
import Foundation
import Schedulers
import SemanticDraw
import TensorRuntime
import Testing

/// The SD3 family in the SemanticDraw core with the built-in tiny-random-sd3: the loader's
/// networks bundle (family, SD3 prompt encoder, the transformer as the denoiser), the denoiser's
/// chunked calls, the Flash preset's random-number contract (the authors' SD3 pipeline: two
/// initial draws, then one draw per slot transition), and the live stream on 16-channel latents
/// with the split Flash step. Pixel parity with the authors' pipeline is SD3ReproductionTests.
@Suite struct SD3PipelineTests {
    static let model: Result<LoadedModel, any Error> = Result {
        try ModelLoader(hub: nil).build(ResolvedModelFiles(base: .tinyRandomSD3, loras: [], tinyAutoencoder: nil, sources: []))
    }

    /// A noise source that counts and records the shapes it hands out.
    struct CountingNoise: NoiseSource {
        var generator = TorchGenerator(seed: 11)
        var shapes: [[Int]] = []
        mutating func next(shape: [Int]) throws -> Tensor {
            shapes.append(shape)
            return generator.normal(shape: shape)
        }
    }

    static func disc(height: Int, width: Int) -> Tensor {
        var values = [Float](repeating: 0, count: height * width)
        for y in 0..<height { for x in 0..<width where (y - height / 2) * (y - height / 2) + (x - width / 2) * (x - width / 2) < 200 { values[y * width + x] = 1 } }
        return Tensor(shape: [height, width], values: values)
    }

    @Test func loaderBuildsTheSD3Bundle() throws {
        let components = try Self.model.get().components
        #expect(components.family == .stableDiffusion3)
        #expect(components.denoiser is SD3Transformer2DModel && components.denoiser.latentChannels == 16)
        #expect(components.promptEncoder.sd3Layout == PromptEncoder.SD3Layout(jointAttentionDimension: 96))
        #expect(components.promptEncoder.contextDimension == 96 && components.promptEncoder.pooledDimension == 64)
        #expect(components.autoencoder.latentChannels == 16 && components.schedulerConfiguration.className == "FlowMatchEulerDiscreteScheduler")
        let conditioning = try components.encode([.text("a red apple"), .text("")])
        #expect(conditioning.context.shape == [2, 77 + 256, 96] && conditioning.pooled?.shape == [2, 64])
    }

    @Test func chunkedPredictionsEqualOneCall() throws {
        let components = try Self.model.get().components
        let conditioning = try components.encode([.text("a"), .text("b"), .text("c")])
        var generator = TorchGenerator(seed: 3)
        let latents = generator.normal(shape: [3, 16, 6, 8])
        let timesteps: [Float] = [1000, 750.5, 291.5]
        let whole = try components.denoiser.predict(latents: latents, timesteps: timesteps, conditioning: conditioning, maximumBatch: nil)
        let chunked = try components.denoiser.predict(latents: latents, timesteps: timesteps, conditioning: conditioning, maximumBatch: 2)
        #expect(whole.shape == [3, 16, 6, 8])
        let worst = zip(whole.scalars, chunked.scalars).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        #expect(worst < 1e-5, "chunks of 2 vs one call: \(worst)")
        let unpooled = TextConditioning(context: conditioning.context)
        #expect(throws: RegionGenerationError.self) {
            _ = try components.denoiser.predict(latents: latents, timesteps: timesteps, conditioning: unpooled, maximumBatch: nil)
        }
    }

    /// Case (d) on a 48 x 64 canvas with the Flash preset: the background's posterior draw, the
    /// discarded and the kept initial noise, then one fresh noise per slot transition (4 for 5
    /// slots); the white latent is the cached one (1024 px), so it draws nothing.
    @Test func flashDrawsAsTheAuthorsSD3Pipeline() throws {
        let pipeline = try Self.model.get().regionPipeline
        var settings = RegionGenerationSettings(height: 48, width: 64)
        settings.apply(try Preset.preset(.stableDiffusion3, accelerator: .flash))
        #expect(settings.randomNumbers == .initialNoiseWithSlotDraws && settings.scheduler.kind == .flashFlowMatchEuler)
        var noise = CountingNoise()
        let output = try pipeline.generate(brushes: [RegionBrush(prompt: .text("a red apple"), mask: Self.disc(height: 48, width: 64), maskBlur: 2)],
                                           settings: settings, noise: &noise)
        let latent: [Int] = [1, 16, 6, 8]
        #expect(noise.shapes == Array(repeating: latent, count: 1 + 2 + 4), "\(noise.shapes)")
        #expect(output.image.shape == [3, 48, 64] && output.latent.shape == latent)
        #expect(output.image.scalars.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })

        // --accelerator none: the model's own flow-matching Euler, fresh draws per slot (R9).
        var plain = RegionGenerationSettings(height: 48, width: 64)
        plain.apply(try Preset.preset(.stableDiffusion3, accelerator: .none), schedule: .steps(3))
        plain.guidance = 0
        var plainNoise = CountingNoise()
        _ = try pipeline.generate(brushes: [RegionBrush(prompt: .text("a boat"), mask: Self.disc(height: 48, width: 64))],
                                  settings: plain, noise: &plainNoise)
        // Posterior, initial latent, the bootstrap noise of the one view, two slot transitions.
        #expect(plainNoise.shapes == Array(repeating: latent, count: 5), "\(plainNoise.shapes)")
    }

    /// Views keep SD3's patch grid: with a 48-px tile (a half-window stride of 3 latents) the
    /// window rounds down to 4 latents, so every view is an even number of latents on each side.
    @Test func viewsAlignToThePatchSize() {
        let unaligned = LatentViews.views(latentHeight: 6, latentWidth: 20, tilePixels: 48, scaleFactor: 8)
        #expect(unaligned.contains { $0.width % 2 == 1 }, "the SD1 views are the reference's, odd ones included")
        let views = LatentViews.views(latentHeight: 6, latentWidth: 20, tilePixels: 48, scaleFactor: 8, alignment: 2)
        #expect(views.allSatisfy { $0.width % 2 == 0 && $0.height % 2 == 0 && $0.left % 2 == 0 && $0.top % 2 == 0 })
        #expect(LatentViews.views(latentHeight: 130, latentWidth: 128, tilePixels: 1024, scaleFactor: 8, alignment: 2)
                == LatentViews.views(latentHeight: 130, latentWidth: 128, tilePixels: 1024, scaleFactor: 8), "SD3's 1024-px tile is unchanged")
    }

    /// The baseline MultiDiffusion on SD3 runs its flow-matching Euler (DDIM means nothing to a velocity model).
    @Test func baselineRunsFlowMatchingEuler() throws {
        let pipeline = try Self.model.get().regionPipeline
        var settings = RegionGenerationSettings.baseline(height: 48, width: 64)
        settings.schedule = .steps(3)
        settings.guidance = 0
        var noise = TorchGenerator(seed: 1)
        let output = try pipeline.generate(brushes: [RegionBrush(prompt: .text("a boat"), mask: Self.disc(height: 48, width: 64))],
                                           background: RegionBackground(prompt: .text("a lake")), settings: settings, noise: &noise)
        #expect(output.image.scalars.allSatisfy { $0.isFinite })
    }

    /// The live stream on SD3 with the Flash preset: 16-channel latents, the split step through
    /// the scheduler seam, TAESD3-shaped decoding; deterministic for a seed.
    @Test func streamRunsOnSD3() async throws {
        let loaded = try ModelLoader(hub: nil).build(ResolvedModelFiles(base: .tinyRandomSD3, loras: [], tinyAutoencoder: .tinyRandom, sources: []))
        #expect(loaded.components.autoencoder.name == "taesd" && loaded.components.autoencoder.latentChannels == 16)
        let preset = try Preset.preset(.stableDiffusion3, accelerator: .flash)
        var settings = StreamSettings(height: 48, width: 64)
        settings.scheduler = preset.scheduler(for: preset.defaultStreamSchedule)
        settings.schedule = preset.defaultStreamSchedule
        settings.guidance = preset.guidance
        settings.seed = 9
        func frames() async throws -> [StreamFrame] {
            let session = try StreamSession(models: loaded.components, settings: settings,
                                            brushes: [StreamBrush(id: "apple", prompt: .text("a red apple"), mask: Self.disc(height: 48, width: 64))])
            return [try await session.nextFrame(), try await session.nextFrame()]
        }
        let first = try await frames(), second = try await frames()
        #expect(first[1].latent.shape == [1, 16, 6, 8] && first[1].image.shape == [3, 48, 64])
        #expect(first[1].latent.scalars.allSatisfy { $0.isFinite })
        #expect(first[1].image.scalars == second[1].image.scalars, "same seed, same frames")
    }
}
