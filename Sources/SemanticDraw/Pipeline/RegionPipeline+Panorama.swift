import Schedulers
import TensorRuntime

extension RegionPipeline {
    /// Generates a panorama: `prompt` over a wide canvas (docs/REFERENCE_PIPELINE.md R10). One
    /// region whose mask is all ones (alpha 1, no blur), no background (no prompt interpolation,
    /// no fill, no blend), no bootstrapping, tile min(min(H, W), 512) (``PanoramaSettings``),
    /// and otherwise the one-shot loop (views, pre-averaging, noise after averaging), LCM
    /// scheduler, full decode with the pipeline's autoencoder.
    ///
    /// Draws (R9): the initial latent [1, C, h, w], then one full-size noise per slot transition.
    /// `progress(slot, slotCount)` after every slot; honours task cancellation.
    /// - Parameter negativePrompt: used when `settings.guidance > 1`; the empty prompt when nil.
    /// - Returns: the final latent and the decoded image (`image == decoded`).
    /// - Throws: ``RegionGenerationError`` for an invalid size, the networks' and scheduler's
    ///   errors, `CancellationError`.
    public func panorama(prompt: PromptInput, negativePrompt: PromptInput? = nil, settings: PanoramaSettings,
                         noise: inout some NoiseSource,
                         progress: (Int, Int) -> Void = { _, _ in }) throws -> RegionGenerationOutput {
        let height = settings.height, width = settings.width, factor = scaleFactor
        try validate(height: height, width: width)
        guard settings.maximumTilePixels >= factor else {
            throw RegionGenerationError.invalidInput(name: "maximumTilePixels",
                                                     reason: "is \(settings.maximumTilePixels), expected at least \(factor)")
        }
        let scheduler = try settings.scheduler.makeScheduler(modelConfiguration: components.schedulerConfiguration,
                                                             schedule: settings.schedule)
        let guided = settings.guidance > 1
        let embeddings = try components.encode(guided ? [prompt, negativePrompt ?? settings.emptyPrompt] : [prompt])
        let conditioning = RegionConditioning(conditional: embeddings.row(0), unconditional: guided ? embeddings.row(1) : nil,
                                              guidance: settings.guidance, guidanceRescale: settings.guidanceRescale)
        let latentHeight = height / factor, latentWidth = width / factor
        // An all-ones mask exceeds every noise level b_i < 1, so every quantised slot mask is 1.
        let masks = Tensor(shape: [1, scheduler.slotCount, 1, latentHeight, latentWidth], repeating: 1)
        let channels = components.denoiser.latentChannels
        let initial = try noise.next(shape: [1, channels, latentHeight, latentWidth]) * scheduler.initialNoiseSigma
        let loop = RegionDenoisingLoop(
            denoiser: components.denoiser, scheduler: scheduler, masks: masks, backgroundLatent: nil, whiteLatent: nil,
            bootstrapSteps: 0, bootstrapMix: 1,
            views: LatentViews.views(latentHeight: latentHeight, latentWidth: latentWidth,
                                     tilePixels: settings.tilePixels, scaleFactor: factor, alignment: components.denoiser.latentSizeMultiple),
            scaleFactor: factor)
        let result = try loop.run(initialLatent: initial, conditioning: conditioning, noise: &noise, progress: progress)
        return try decodedOutput(result.finalLatent)
    }
}
