import DiffusionModels
import Schedulers
import SemanticDraw
import TensorRuntime
import Testing

/// Plain text-to-image (``RegionPipeline/textToImage(prompt:negativePrompt:settings:noise:progress:)``)
/// on the tiny-random model, against the region path where the two are provably the same: one
/// all-ones mask covers every latent pixel at every slot (so there is no background, no prompt
/// interpolation and no blend), one view of weight 1 (so the average is the one denoised copy),
/// no bootstrapping (so no extra draw), and LCM, whose region loop draws the same noise per slot
/// transition as the plain step. Then the two loops do the same arithmetic in the same order on
/// the same draws; only the text encoder runs on another batch (the region path also encodes the
/// background prompt it then leaves unused: 2 or 4 prompts instead of 1 or 2), which BLAS blocks
/// differently, so the embeddings, and with them the latents, agree to float32 round-off (measured:
/// under 1e-6 of max |latent|; required: 1e-4). With the default bootstrapping the region path
/// draws one more noise and the images differ, which is why one brush without a mask takes the
/// plain path. (Against diffusers' own pipeline: SemanticDrawCLITests/TextToImageReproductionTests.)
@Suite struct TextToImageTests {
    static let height = 48, width = 64

    static let pipeline: Result<RegionPipeline, any Error> = Result {
        let model = try TinyRandomModel()
        return RegionPipeline(textEncoder: model.textEncoder, tokenizer: nil, unet: model.unet, autoencoder: model.autoencoder,
                              schedulerConfiguration: try SchedulerConfiguration(data: TinyRandomModel.schedulerConfigurationJSON,
                                                                                 file: "tiny-random scheduler_config.json"))
    }

    static func settings(guidance: Float, bootstrapSteps: Int) -> RegionGenerationSettings {
        var settings = RegionGenerationSettings(height: height, width: width)
        settings.guidance = guidance
        settings.bootstrapSteps = bootstrapSteps
        settings.emptyPrompt = StreamTestSupport.prompt("")
        settings.whitePrompt = StreamTestSupport.prompt("simple white background image")
        return settings
    }

    static func fullCanvasBrush(negative: PromptInput?) -> RegionBrush {
        RegionBrush(prompt: StreamTestSupport.prompt("a cat on a sofa"), negativePrompt: negative,
                    mask: Tensor(shape: [height, width], repeating: 1), maskBlur: 0)
    }

    @Test(arguments: [(Float(1), false), (Float(2.5), true)])
    func equalsTheRegionPathWithOneFullMaskAndNoBootstrapping(guidance: Float, negative: Bool) throws {
        let pipeline = try Self.pipeline.get()
        let negativePrompt = negative ? StreamTestSupport.prompt("blurry") : nil
        let settings = Self.settings(guidance: guidance, bootstrapSteps: 0)
        var plainNoise = TorchGenerator(seed: 7), regionNoise = TorchGenerator(seed: 7)
        var progress: [Int] = []
        let plain = try pipeline.textToImage(prompt: StreamTestSupport.prompt("a cat on a sofa"), negativePrompt: negativePrompt,
                                             settings: settings, noise: &plainNoise, progress: { slot, _ in progress.append(slot) })
        let region = try pipeline.generate(brushes: [Self.fullCanvasBrush(negative: negativePrompt)], settings: settings, noise: &regionNoise)
        #expect(progress == [1, 2, 3, 4, 5])
        #expect(plain.latent.shape == [1, 4, 6, 8] && plain.image.shape == [3, Self.height, Self.width])
        let scale = plain.latent.scalars.map(abs).max() ?? 0
        let latentDifference = zip(plain.latent.scalars, region.latent.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(scale > 1 && latentDifference <= 1e-4 * scale, "max |difference| \(latentDifference) of max |latent| \(scale)")
        let imageDifference = zip(plain.image.scalars, region.image.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(imageDifference <= 1e-4, "decoded images differ by \(imageDifference)")
        // Both consumed the same draws: the generators are in the same state.
        #expect(try plainNoise.next(shape: [4]).scalars == regionNoise.next(shape: [4]).scalars)
    }

    @Test func bootstrappingMakesTheRegionPathDiffer() throws {
        let pipeline = try Self.pipeline.get()
        let settings = Self.settings(guidance: 1, bootstrapSteps: 1)
        var plainNoise = TorchGenerator(seed: 7), regionNoise = TorchGenerator(seed: 7)
        let plain = try pipeline.textToImage(prompt: StreamTestSupport.prompt("a cat on a sofa"), settings: settings, noise: &plainNoise)
        let region = try pipeline.generate(brushes: [Self.fullCanvasBrush(negative: nil)], settings: settings, noise: &regionNoise)
        let difference = zip(plain.latent.scalars, region.latent.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(difference > 1, "bootstrapping draws another noise: the latents differ by far more than round-off (\(difference))")
    }

    @Test func generateRoutesTheTextToImageMethodAndChecksItsInputs() throws {
        let pipeline = try Self.pipeline.get()
        var settings = Self.settings(guidance: 1, bootstrapSteps: 1)
        settings.method = .textToImage
        var routedNoise = TorchGenerator(seed: 3), plainNoise = TorchGenerator(seed: 3)
        // The brush's mask is not used: a half mask gives the plain image.
        var brush = Self.fullCanvasBrush(negative: nil)
        brush.mask = Tensor(shape: [Self.height, Self.width], values: (0..<(Self.height * Self.width)).map { Float($0 % Self.width < 32 ? 1 : 0) })
        let routed = try pipeline.generate(brushes: [brush], settings: settings, noise: &routedNoise)
        let plain = try pipeline.textToImage(prompt: brush.prompt, settings: settings, noise: &plainNoise)
        #expect(routed.latent.scalars == plain.latent.scalars)
        #expect(throws: RegionGenerationError.self) {
            var noise = TorchGenerator(seed: 3)
            _ = try pipeline.generate(brushes: [brush, brush], settings: settings, noise: &noise)
        }
        #expect(throws: RegionGenerationError.self) {
            var noise = TorchGenerator(seed: 3)
            _ = try pipeline.generate(brushes: [brush], background: RegionBackground(prompt: StreamTestSupport.prompt("grass")),
                                      settings: settings, noise: &noise)
        }
    }
}
