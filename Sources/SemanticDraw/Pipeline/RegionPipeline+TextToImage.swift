import Schedulers
import TensorRuntime

extension RegionPipeline {
    /// Plain text-to-image: one prompt over the whole canvas, denoised as a diffusers pipeline
    /// denoises it (``RegionGenerationMethod/textToImage``, docs/ALGORITHM.md §4 "Plain
    /// text-to-image"). The authors' pipeline routes prompts given without masks to such a loop
    /// (`sample()`); here it runs with the settings' scheduler, schedule, guidance and rescale,
    /// and nothing else of the settings: no masks, background, bootstrapping, views or blend.
    ///
    /// Per slot i: the model output for the latent x (twice, against the negative and the
    /// prompt, when `settings.guidance > 1`, combined as u + g (c - u)), the scheduler's
    /// `denoise`, then its `noise` part with a fresh draw where the diffusers step draws one
    /// (``DiffusionScheduler/addsNoise(slot:)``), so `x <- step(x)` as diffusers' `scheduler.step`.
    /// Draws: the initial latent [1, C, h, w] (times `initialNoiseSigma`), then one [1, C, h, w]
    /// per slot whose step adds noise — what `torch.Generator().manual_seed(seed)` passed to a
    /// diffusers pipeline draws on the CPU (the random-number contract of `settings` does not
    /// apply: there is nothing else to draw).
    /// `progress(slot, slotCount)` after every slot; honours task cancellation.
    /// - Parameter negativePrompt: used when `settings.guidance > 1`; the empty prompt when nil.
    /// - Returns: the final latent and the decoded image (`image == decoded`).
    /// - Throws: ``RegionGenerationError`` for an invalid size, the networks' and scheduler's
    ///   errors, `CancellationError`.
    public func textToImage(prompt: PromptInput, negativePrompt: PromptInput? = nil, settings: RegionGenerationSettings,
                            noise: inout some NoiseSource,
                            progress: (Int, Int) -> Void = { _, _ in }) throws -> RegionGenerationOutput {
        let height = settings.height, width = settings.width, factor = scaleFactor
        try validate(height: height, width: width)
        let scheduler = try settings.scheduler.makeScheduler(modelConfiguration: components.schedulerConfiguration,
                                                             schedule: settings.schedule)
        let guided = settings.guidance > 1
        let embeddings = try components.encode(guided ? [prompt, negativePrompt ?? settings.emptyPrompt] : [prompt])
        let conditioning = RegionConditioning(conditional: embeddings.row(0), unconditional: guided ? embeddings.row(1) : nil,
                                              guidance: settings.guidance, guidanceRescale: settings.guidanceRescale)
        let batch = conditioning.modelBatch
        let placement = CanvasPlacement(canvasHeight: height, canvasWidth: width)
        let shape = [1, components.denoiser.latentChannels, height / factor, width / factor]
        var latent = try noise.next(shape: shape) * scheduler.initialNoiseSigma
        for slot in 0..<scheduler.slotCount {
            try Task.checkCancellation()
            let prediction = try GuidedPrediction.predict(denoiser: components.denoiser, scheduler: scheduler, samples: latent,
                                                          slots: [slot], batch: batch, placement: placement)
            let denoised = try scheduler.denoise(modelOutput: prediction, sample: latent, slot: slot)
            if scheduler.addsNoise(slot: slot) {
                latent = try scheduler.noise(denoised, noise: noise.next(shape: shape), slot: slot)
            } else {
                latent = denoised
            }
            progress(slot + 1, scheduler.slotCount)
        }
        return try decodedOutput(latent)
    }
}
