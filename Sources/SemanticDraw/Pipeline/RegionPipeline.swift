import DiffusionModels
import Schedulers
import TensorRuntime
import Tokenizer

/// One-shot region-based generation, the paper's Algorithm S2 (docs/ALGORITHM.md §2-§4, with the
/// conventions fixed in docs/REFERENCE_PIPELINE.md R1-R9): text conditioning with prompt
/// strength, mask processing, the background cases (a)-(d), the region denoising loop with
/// latent pre-averaging, decoding and the pixel blend. The scheduler is the settings' choice
/// (LCM, the paper's accelerator, by default; presets pick others, R14); the random numbers follow the contract, so a seeded ``TorchGenerator`` draws
/// what the reference draws on the CPU. The same pipeline runs the baseline MultiDiffusion
/// (Algorithm S1, ``RegionGenerationSettings/baseline(height:width:)``) and panoramas
/// (``panorama(prompt:negativePrompt:settings:noise:progress:)``).
public struct RegionPipeline: Sendable {
    /// The networks.
    public let components: ModelComponents

    /// A pipeline over `components`.
    public init(components: ModelComponents) {
        self.components = components
    }

    /// A pipeline over an SD1.x/SD2.x model (the tokenizer is needed for text prompts).
    public init(textEncoder: CLIPTextModel, tokenizer: CLIPTokenizer?, unet: UNet2DConditionModel,
                autoencoder: LatentAutoencoder, schedulerConfiguration: SchedulerConfiguration) {
        self.init(components: ModelComponents(textEncoder: textEncoder, tokenizer: tokenizer, unet: unet, autoencoder: autoencoder,
                                              schedulerConfiguration: schedulerConfiguration))
    }

    /// A pipeline decoding with the full KL VAE.
    public init(textEncoder: CLIPTextModel, tokenizer: CLIPTokenizer?, unet: UNet2DConditionModel,
                autoencoder: AutoencoderKL, schedulerConfiguration: SchedulerConfiguration) {
        self.init(textEncoder: textEncoder, tokenizer: tokenizer, unet: unet, autoencoder: .kl(autoencoder),
                  schedulerConfiguration: schedulerConfiguration)
    }

    /// The autoencoder.
    public var autoencoder: LatentAutoencoder { components.autoencoder }
    /// The autoencoder's downsampling factor (8 for Stable Diffusion).
    public var scaleFactor: Int { components.scaleFactor }

    /// Generates an image from `brushes` over `background` with `settings.method`: SemanticDraw
    /// (default), the baseline MultiDiffusion (``RegionGenerationSettings/baseline(height:width:)``)
    /// or plain text-to-image (``RegionGenerationMethod/textToImage``: one brush, mask unused, no background).
    ///
    /// `progress(step, stepCount)` is called after every slot (SemanticDraw) or step (baseline).
    /// Honours Swift task cancellation (checked per slot, view and network layer): a cancelled
    /// task stops with `CancellationError`.
    /// - Throws: ``RegionGenerationError`` for invalid inputs, the networks' and schedulers'
    ///   errors, `CancellationError`.
    public func generate(brushes: [RegionBrush], background: RegionBackground = RegionBackground(),
                         settings: RegionGenerationSettings, noise: inout some NoiseSource,
                         progress: (Int, Int) -> Void = { _, _ in }) throws -> RegionGenerationOutput {
        switch settings.method {
        case .baselineMultiDiffusion:
            return try generateBaseline(brushes: brushes, background: background, settings: settings, noise: &noise, progress: progress)
        case .textToImage:
            guard brushes.count == 1, let brush = brushes.first else {
                throw RegionGenerationError.invalidInput(name: "brushes", reason: "plain text-to-image takes one brush, not \(brushes.count)")
            }
            guard background.image == nil, background.prompt == nil else {
                throw RegionGenerationError.invalidInput(name: "background", reason: "plain text-to-image has no background (give the brush a mask)")
            }
            return try textToImage(prompt: brush.prompt, negativePrompt: brush.negativePrompt, settings: settings, noise: &noise, progress: progress)
        case .semanticDraw:
            break
        }
        let height = settings.height, width = settings.width, factor = scaleFactor
        try validate(brushes: brushes, height: height, width: width)
        let scheduler = try settings.scheduler.makeScheduler(modelConfiguration: components.schedulerConfiguration,
                                                             schedule: settings.schedule)
        let guided = settings.guidance > 1

        // Masks (R4): blurred at full resolution (kept for the blend), then quantised per slot.
        let options = MaskProcessingOptions(blurStandardDeviations: brushes.map(\.maskBlur), alphas: brushes.map(\.maskAlpha),
                                            quantization: settings.quantization)
        let blurred = try MaskProcessor.blurredMasks(masks: brushes.map(\.mask), height: height, width: width, options: options)
        let processed = try MaskProcessor.latentMasks(blurredMasks: blurred, noiseLevels: scheduler.noiseLevel,
                                                      options: options, scaleFactor: factor)
        let slotCount = scheduler.slotCount, latentHeight = height / factor, latentWidth = width / factor

        // Background case (R1): none at all when the brushes cover every latent pixel at every
        // slot (the authors' `has_background`); else (a)-(d) from the inputs.
        let covered = !processed.background.scalars.contains { $0 > 0 }
        let hasImage = background.image != nil
        let generatesBackground = !covered && background.isGeneratedAsRegion   // case (c)
        let usesBackgroundLatent = !covered && !generatesBackground           // cases (a), (b), (d)

        // Text (R3): background prompt, then brushes interpolated by prompt strength.
        let backgroundPrompt = background.prompt(captionPrompt: settings.captionPrompt, whitePrompt: settings.whitePrompt)
        let empty = settings.emptyPrompt
        var prompts = [backgroundPrompt] + brushes.map(\.prompt)
        if guided { prompts += [background.negativePrompt ?? empty] + brushes.map { $0.negativePrompt ?? empty } }
        let embeddings = try components.encode(prompts)
        let count = brushes.count + 1
        func rows(_ offset: Int) -> TextConditioning {
            let backgroundRow = embeddings.row(offset)
            var regions: [TextConditioning] = generatesBackground ? [backgroundRow] : []
            for (index, brush) in brushes.enumerated() {
                let row = embeddings.row(offset + 1 + index)
                regions.append(covered ? row : TextConditioning.lerp(backgroundRow, row, weight: brush.promptStrength))
            }
            return TextConditioning.concatenated(regions)
        }
        let conditioning = RegionConditioning(conditional: rows(0), unconditional: guided ? rows(count) : nil, guidance: settings.guidance,
                                              guidanceRescale: settings.guidanceRescale)
        let masks = generatesBackground
            ? Tensor.concatenateOuter([processed.background.reshaped([1, slotCount, 1, latentHeight, latentWidth]), processed.latent])
            : processed.latent

        // Background and white latents (R8).
        var backgroundPixels: Tensor?
        if let image = background.image {
            guard image.rank == 3, image.shape[2] == 3 else {
                throw RegionGenerationError.invalidInput(name: "background.image", reason: "has shape \(image.shape), expected [H, W, 3]")
            }
            if !covered { backgroundPixels = Self.channelsFirst(image).resizedBicubic(height: height, width: width) }
        } else if usesBackgroundLatent {
            backgroundPixels = Tensor(shape: [3, height, width], repeating: 1)
        }
        let white = Tensor(shape: [3, height, width], repeating: 1)
        var whiteLatent: Tensor?, backgroundLatent: Tensor?
        if settings.imageEncoding == .posteriorSample {
            // R13, the authors' draw order: the background's posterior sample (cases a, b, d),
            // then the bootstrap white latent, sampled when their cache (768 px for SD1.5, 1024
            // for SDXL) is "too small" (they compare its latent size with the canvas's pixel size).
            if usesBackgroundLatent, let backgroundPixels {
                backgroundLatent = try encode(image: backgroundPixels, sampling: true, noise: &noise)
            }
            if settings.bootstrapSteps > 0 {
                let cache = settings.whiteCachePixels / factor
                let reencodes = height > cache || width > cache
                whiteLatent = try encode(image: white, sampling: reencodes, noise: &noise)
            }
        } else {
            whiteLatent = (settings.bootstrapSteps > 0 || usesBackgroundLatent && !hasImage) ? try encode(image: white) : nil
            if usesBackgroundLatent, let backgroundPixels {
                backgroundLatent = hasImage ? try encode(image: backgroundPixels) : whiteLatent
            }
        }

        // Initial latent (R9): one full-size draw, or the background noised to slot 0; the
        // authors' SDXL and SD3 pipelines (R15, R16) draw again when starting from pure noise and
        // keep that noise for the bootstrap and the background fill.
        let channels = components.denoiser.latentChannels
        var first = try noise.next(shape: [1, channels, latentHeight, latentWidth])
        let initial: Tensor
        if let backgroundLatent, !scheduler.startsFromPureNoise {
            initial = try scheduler.addNoise(backgroundLatent, noise: first, slot: 0)
        } else {
            if settings.randomNumbers != .perSlot { first = try noise.next(shape: first.shape) }
            initial = first * scheduler.initialNoiseSigma
        }
        let views = LatentViews.views(latentHeight: latentHeight, latentWidth: latentWidth,
                                      tilePixels: settings.tilePixels, scaleFactor: factor, alignment: components.denoiser.latentSizeMultiple)
        let loop = RegionDenoisingLoop(denoiser: components.denoiser, scheduler: scheduler, masks: masks, backgroundLatent: backgroundLatent,
                                       whiteLatent: whiteLatent, bootstrapSteps: settings.bootstrapSteps,
                                       bootstrapMix: settings.bootstrapMix, views: views, scaleFactor: factor,
                                       fixedNoise: settings.randomNumbers == .perSlot ? nil : first,
                                       randomNumbers: settings.randomNumbers)
        let result = try loop.run(initialLatent: initial, conditioning: conditioning, noise: &noise, progress: progress)

        // Decode and blend (R8).
        try Task.checkCancellation()
        let decoded = try decode(result.finalLatent)
        var image = decoded
        if let backgroundPixels {
            // alpha = clamp(sum of the blurred brush masks, 0, 1); image = alpha * generated + (1 - alpha) * background.
            let alpha = blurred.summed(alongDimension: 0).clamped(0, 1)
            image = alpha * decoded + (1 - alpha) * backgroundPixels
        }
        return RegionGenerationOutput(latent: result.finalLatent, decoded: decoded, image: image)
    }

    /// The latent of an image [3, H, W] in 0...1 (posterior mean, scaled): [1, C, h, w].
    func encode(image: Tensor) throws -> Tensor { try autoencoder.encode(image: image) }

    /// The latent of an image [3, H, W] in 0...1; with `sampling`, the KL VAE's posterior sample
    /// mean + std * n with n the next draw of `noise` (TAESD has no posterior and draws nothing).
    func encode(image: Tensor, sampling: Bool, noise: inout some NoiseSource) throws -> Tensor {
        guard sampling, case .kl(let model) = autoencoder else { return try autoencoder.encode(image: image) }
        let posterior = try model.posterior(image.reshaped([1] + image.shape).affine(scale: 2, shift: -1))
        return model.configuration.pipelineLatents(try posterior.sample(noise: try noise.next(shape: posterior.mean.shape)))
    }

    /// The image [3, H, W] in 0...1 of a scaled latent.
    func decode(_ latent: Tensor) throws -> Tensor { try components.autoencoder.decode(latent: latent) }

    /// [H, W, 3] -> [3, H, W].
    static func channelsFirst(_ image: Tensor) -> Tensor {
        let height = image.shape[0], width = image.shape[1]
        return image.reshaped([1, height * width, 3]).channelsFirst(height: height, width: width).reshaped([3, height, width])
    }
}
