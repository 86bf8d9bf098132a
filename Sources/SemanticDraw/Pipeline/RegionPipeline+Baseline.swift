import Schedulers
import TensorRuntime

extension RegionPipeline {
    /// The baseline MultiDiffusion (Algorithm S1; docs/REFERENCE_PIPELINE.md R11), reached
    /// through ``generate(brushes:background:settings:noise:progress:)`` with
    /// ``RegionGenerationMethod/baselineMultiDiffusion``. DDIM (eta 0) from the pipeline's
    /// scheduler configuration (flow-matching Euler for SD3, ``baselineSchedulerKind(_:)``), `settings.schedule` steps, CFG with `settings.guidance`; masks
    /// as docs/ALGORITHM.md §2 against the DDIM noise levels; a background prompt becomes region 0;
    /// no prompt-strength interpolation, no blend (`image == decoded`).
    func generateBaseline(brushes: [RegionBrush], background: RegionBackground, settings: RegionGenerationSettings,
                          noise: inout some NoiseSource, progress: (Int, Int) -> Void) throws -> RegionGenerationOutput {
        let height = settings.height, width = settings.width, factor = scaleFactor
        try validate(brushes: brushes, height: height, width: width)
        guard background.image == nil else {
            throw RegionGenerationError.invalidInput(name: "background.image",
                reason: "the baseline MultiDiffusion takes a background prompt or none, not an image (use the SemanticDraw method)")
        }
        guard settings.baselineBootstrapFraction >= 0, settings.baselineBootstrapFraction <= 1 else {
            throw RegionGenerationError.invalidInput(name: "baselineBootstrapFraction",
                                                     reason: "is \(settings.baselineBootstrapFraction), expected 0...1")
        }
        let scheduler = try Self.baselineSchedulerKind(components.schedulerConfiguration)
            .makeScheduler(configuration: components.schedulerConfiguration, schedule: settings.schedule, eta: 0)
        let guided = settings.guidance > 1
        let backgroundPrompt = background.prompt.map { [$0] } ?? []
        let empty = settings.emptyPrompt
        var prompts = backgroundPrompt + brushes.map(\.prompt)
        if guided {
            prompts += backgroundPrompt.map { _ in background.negativePrompt ?? empty } + brushes.map { $0.negativePrompt ?? empty }
        }
        let embeddings = try components.encode(prompts)
        let regions = backgroundPrompt.count + brushes.count
        let conditioning = RegionConditioning(conditional: embeddings.rows(0, count: regions),
                                              unconditional: guided ? embeddings.rows(regions, count: regions) : nil,
                                              guidance: settings.guidance)

        let options = MaskProcessingOptions(blurStandardDeviations: brushes.map(\.maskBlur), alphas: brushes.map(\.maskAlpha),
                                            quantization: settings.quantization)
        let blurred = try MaskProcessor.blurredMasks(masks: brushes.map(\.mask), height: height, width: width, options: options)
        let processed = try MaskProcessor.latentMasks(blurredMasks: blurred, noiseLevels: scheduler.noiseLevel,
                                                      options: options, scaleFactor: factor)
        let stepCount = scheduler.slotCount, latentHeight = height / factor, latentWidth = width / factor
        let masks = background.prompt != nil
            ? Tensor.concatenateOuter([processed.background.reshaped([1, stepCount, 1, latentHeight, latentWidth]), processed.latent])
            : processed.latent

        let channels = components.denoiser.latentChannels
        let initial = try noise.next(shape: [1, channels, latentHeight, latentWidth]) * scheduler.initialNoiseSigma
        let loop = MultiDiffusionLoop(
            denoiser: components.denoiser, scheduler: scheduler, autoencoder: autoencoder, masks: masks,
            bootstrapRows: brushes.indices.map { $0 + backgroundPrompt.count },
            bootstrapSteps: Int(settings.baselineBootstrapFraction * Double(stepCount)),
            views: LatentViews.views(latentHeight: latentHeight, latentWidth: latentWidth,
                                     tilePixels: settings.tilePixels, scaleFactor: factor, alignment: components.denoiser.latentSizeMultiple),
            scaleFactor: factor)
        let result = try loop.run(initialLatent: initial, conditioning: conditioning, noise: &noise, progress: progress)
        return try decodedOutput(result.finalLatent)
    }

    /// The baseline's deterministic full-step scheduler: DDIM (eta 0) for the DDPM-trained
    /// families; for a flow-matching model (SD3, whose `scheduler_config.json` names
    /// `FlowMatchEulerDiscreteScheduler`) its own flow-matching Euler, whose step is deterministic
    /// too (DDIM's betas mean nothing to a velocity model).
    static func baselineSchedulerKind(_ configuration: SchedulerConfiguration) -> SchedulerKind {
        let kind = configuration.className.flatMap(SchedulerKind.init(className:))
        return kind == .flowMatchEuler || kind == .flashFlowMatchEuler ? .flowMatchEuler : .ddim
    }

    /// The output of a run with no background blend: the final latent, decoded (after a last
    /// cancellation check).
    func decodedOutput(_ finalLatent: Tensor) throws -> RegionGenerationOutput {
        try Task.checkCancellation()
        let decoded = try decode(finalLatent)
        return RegionGenerationOutput(latent: finalLatent, decoded: decoded, image: decoded)
    }

    /// Checks the brushes and the canvas size (positive multiples of 8 and of the VAE factor).
    func validate(brushes: [RegionBrush], height: Int, width: Int) throws {
        guard !brushes.isEmpty else { throw RegionGenerationError.invalidInput(name: "brushes", reason: "at least one brush is needed") }
        try validate(height: height, width: width)
    }

    /// Checks the canvas size (positive multiples of 8, of the VAE factor, and of the VAE factor
    /// times the denoiser's ``Denoiser/latentSizeMultiple``: 16 for SD3).
    func validate(height: Int, width: Int) throws {
        let factor = scaleFactor, multiple = factor * components.denoiser.latentSizeMultiple
        guard height > 0, width > 0, height % 8 == 0, width % 8 == 0, height % factor == 0, width % factor == 0 else {
            throw RegionGenerationError.invalidInput(name: "size", reason: "\(width)x\(height) must be positive multiples of 8")
        }
        guard height % multiple == 0, width % multiple == 0 else {
            throw RegionGenerationError.invalidInput(name: "size",
                reason: "\(width)x\(height) must be multiples of \(multiple) for this model (the VAE's \(factor) x the transformer's patch size \(components.denoiser.latentSizeMultiple))")
        }
    }
}
