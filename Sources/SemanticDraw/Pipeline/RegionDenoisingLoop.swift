import Schedulers
import TensorRuntime

/// The slot loop of one-shot region generation (docs/ALGORITHM.md §4; docs/REFERENCE_PIPELINE.md
/// R6, R7, R9): per slot and view, one batched denoiser call over every region's copy of the
/// view, optional bootstrapping with mask centring and leak suppression, the deterministic
/// denoise part per region, mask-weighted averaging, background fill, and the noise part added
/// once after averaging ("latent pre-averaging"). The arithmetic is ``RegionStepMath``'s.
public struct RegionDenoisingLoop: Sendable {
    public let denoiser: any Denoiser
    public let scheduler: any DiffusionScheduler
    /// Quantised masks [R, T, 1, h, w] (region order as the conditioning rows).
    public let masks: Tensor
    /// The clean background latent [1, C, h, w] filling uncovered weight, if any (placed where
    /// each slot's denoised latent lives by the scheduler's `backgroundFill`).
    public let backgroundLatent: Tensor?
    /// The white latent [1, C, h, w] for bootstrapping (needed when bootstrapSteps > 0).
    public let whiteLatent: Tensor?
    public let bootstrapSteps: Int
    public let bootstrapMix: Float
    public let views: [LatentView]
    /// Image pixels per latent pixel (where a view sits on the canvas, ``CanvasPlacement``).
    public let scaleFactor: Int
    /// The initial noise [1, C, h, w] the authors' SDXL and SD3 pipelines keep
    /// (``RandomNumberContract/initialNoise``, ``RandomNumberContract/initialNoiseWithSlotDraws``):
    /// the bootstrap latent is noised with it (cropped to the view), and so is the background
    /// fill; nil with ``RandomNumberContract/perSlot`` (R9: fresh draws).
    public let fixedNoise: Tensor?
    /// How the loop draws and uses its random numbers (with ``fixedNoise``).
    public let randomNumbers: RandomNumberContract

    /// A loop; `fixedNoise` is required by the contracts that keep the initial noise (without
    /// it they fall back to ``RandomNumberContract/perSlot``).
    public init(denoiser: any Denoiser, scheduler: any DiffusionScheduler, masks: Tensor, backgroundLatent: Tensor?,
                whiteLatent: Tensor?, bootstrapSteps: Int, bootstrapMix: Float, views: [LatentView], scaleFactor: Int = 8,
                fixedNoise: Tensor? = nil, randomNumbers: RandomNumberContract = .initialNoise) {
        self.scaleFactor = scaleFactor
        self.fixedNoise = fixedNoise
        self.randomNumbers = fixedNoise == nil ? .perSlot : randomNumbers
        self.denoiser = denoiser
        self.scheduler = scheduler
        self.masks = masks
        self.backgroundLatent = backgroundLatent
        self.whiteLatent = whiteLatent
        self.bootstrapSteps = bootstrapSteps
        self.bootstrapMix = bootstrapMix
        self.views = views
    }

    /// The result: the final latent and, per slot, the averaged (denoised) and the re-noised latent.
    public struct Result: Sendable {
        public let finalLatent: Tensor
        public let denoised: [Tensor]
        public let latents: [Tensor]
    }

    /// Runs every slot from `initialLatent` [1, C, h, w]; `progress(slot, slotCount)` after each.
    /// Draws, per slot (the random-number contract, docs/ALGORITHM.md §4; ``RandomNumberContract``):
    /// - ``RandomNumberContract/perSlot``: for each view while bootstrapping, one bootstrap noise
    ///   of the view's size; then, unless it is the last slot, one full-size noise used by the
    ///   background fill and the noise part;
    /// - ``RandomNumberContract/initialNoise``: nothing; ``fixedNoise`` serves all three;
    /// - ``RandomNumberContract/initialNoiseWithSlotDraws``: unless it is the last slot, one
    ///   full-size noise for the noise part; the bootstrap uses ``fixedNoise`` and the background
    ///   fill is the background noised to the next slot with it (``DiffusionScheduler/addNoise(_:noise:slot:)``
    ///   at slot + 1; the clean background after the last slot), as the authors' SD3 pipeline's
    ///   `noise_bg_latents`.
    public func run(initialLatent: Tensor, conditioning: RegionConditioning, noise: inout some NoiseSource,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> Result {
        let regions = masks.shape[0], slotCount = masks.shape[1]
        let channels = initialLatent.shape[1], height = initialLatent.shape[2], width = initialLatent.shape[3]
        guard masks.rank == 5, masks.shape[3] == height, masks.shape[4] == width, slotCount == scheduler.slotCount else {
            throw RegionGenerationError.invalidInput(name: "masks",
                reason: "has shape \(masks.shape), expected [regions, \(scheduler.slotCount), 1, \(height), \(width)]")
        }
        guard conditioning.count == regions else {
            throw RegionGenerationError.invalidInput(name: "conditioning", reason: "has \(conditioning.count) rows for \(regions) regions")
        }
        if bootstrapSteps > 0 && whiteLatent == nil {
            throw RegionGenerationError.invalidInput(name: "whiteLatent", reason: "is needed for bootstrapping")
        }
        let batch = conditioning.modelBatch
        var latent = initialLatent
        var denoisedPerSlot: [Tensor] = [], latentPerSlot: [Tensor] = []
        for slot in 0..<slotCount {
            try Task.checkCancellation()
            var value = Tensor.zeros([1, channels, height, width])
            var count = Tensor.zeros([1, 1, height, width])
            let slotMasks = masks.selecting(index: slot, alongDimension: 1)   // [R, 1, h, w]
            for view in views {
                try Task.checkCancellation()
                try accumulate(view: view, slot: slot, latent: latent, masks: slotMasks, batch: batch, noise: &noise,
                               value: &value, count: &count)
            }
            var averaged = RegionStepMath.average(value: value, count: count)
            let isLast = slot == slotCount - 1
            let draw: Tensor?
            if isLast {
                draw = nil
            } else if randomNumbers == .initialNoise, let fixedNoise {
                draw = fixedNoise
            } else {
                draw = try noise.next(shape: [1, channels, height, width])
            }
            if let backgroundLatent {
                let fill: Tensor
                if randomNumbers == .initialNoiseWithSlotDraws, let fixedNoise {
                    if isLast {
                        fill = backgroundLatent
                    } else {
                        fill = try scheduler.addNoise(backgroundLatent, noise: fixedNoise, slot: slot + 1)
                    }
                } else {
                    fill = try scheduler.backgroundFill(backgroundLatent, noise: draw, slot: slot)
                }
                averaged = RegionStepMath.fillBackground(averaged: averaged, count: count, fill: fill)
            }
            denoisedPerSlot.append(averaged)
            latent = try draw.map { try scheduler.noise(averaged, noise: $0, slot: slot) } ?? averaged
            latentPerSlot.append(latent)
            progress(slot + 1, slotCount)
        }
        return Result(finalLatent: latent, denoised: denoisedPerSlot, latents: latentPerSlot)
    }

    /// Steps 1-6 of R7 for one view: adds Σ_r m V z_r to `value` and Σ_r m V to `count`.
    private func accumulate(view: LatentView, slot: Int, latent: Tensor, masks: Tensor,
                            batch: ModelBatch, noise: inout some NoiseSource,
                            value: inout Tensor, count: inout Tensor) throws {
        let regions = masks.shape[0], region = view.region
        let crop = latent.cropped(to: region)
        var weights = masks.cropped(to: region)                          // [R, 1, vh, vw]
        var copies = Tensor.concatenateOuter(Array(repeating: crop, count: regions))
        var bootstrap: (latent: Tensor, shifts: [(rows: Int, columns: Int)])?
        if slot < bootstrapSteps, let whiteLatent {
            // The bootstrap latent: white, or white and background mixed by the ratio, noised to the slot.
            let white = whiteLatent.cropped(to: region)
            var clean = white
            if let backgroundLatent {
                let ratio = min(1, max(0, bootstrapMix - Float(slot)))
                clean = white * ratio + backgroundLatent.cropped(to: region) * (1 - ratio)
            }
            let draw = try fixedNoise?.cropped(to: region) ?? noise.next(shape: crop.shape)
            let noised = try scheduler.addNoise(clean, noise: draw, slot: slot)
            let shifts = RegionStepMath.centringShifts(masks: weights)
            copies = RegionStepMath.bootstrapMix(copies: copies, bootstrap: noised, masks: weights).rolled(shifts: shifts)
            bootstrap = (noised, shifts)
        }
        let prediction = try GuidedPrediction.predict(denoiser: denoiser, scheduler: scheduler, samples: copies,
                                                      slots: Array(repeating: slot, count: regions), batch: batch,
                                                      placement: view.placement(latentHeight: latent.shape[2], latentWidth: latent.shape[3],
                                                                                scaleFactor: scaleFactor))
        var denoised = try scheduler.denoise(modelOutput: prediction, sample: copies, slots: Array(repeating: slot, count: regions))
        if let bootstrap {
            denoised = denoised.rolled(shifts: RegionStepMath.inverse(bootstrap.shifts))
            weights = RegionStepMath.suppressLeak(weights: weights, denoised: denoised, bootstrap: bootstrap.latent)
        }
        RegionStepMath.accumulate(value: &value, count: &count, denoised: denoised, masks: weights,
                                  viewWeights: view.weightTensor, region: region)
    }
}
