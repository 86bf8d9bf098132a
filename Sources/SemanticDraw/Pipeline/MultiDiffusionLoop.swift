import Schedulers
import TensorRuntime

/// The step loop of the baseline MultiDiffusion (the paper's Algorithm S1, as the pinned
/// reference implements it: docs/REFERENCE_PIPELINE.md R11). Per step and view: every region's
/// copy of the view, brush regions bootstrapped with a random constant colour during the first
/// steps, one batched (guided) denoiser call, the **full** scheduler step per copy (DDIM, eta 0),
/// then mask- and view-weighted averaging after the step. No centring, no leak suppression,
/// no background fill, no separate noise part. The arithmetic is ``RegionStepMath``'s.
public struct MultiDiffusionLoop: Sendable {
    public let denoiser: any Denoiser
    /// A deterministic scheduler whose denoise part is the whole step (DDIM with eta 0).
    public let scheduler: any DiffusionScheduler
    /// Encodes the random-colour bootstrap images.
    public let autoencoder: LatentAutoencoder
    /// Quantised masks [R, T, 1, h, w] (region order as the conditioning rows).
    public let masks: Tensor
    /// The rows bootstrapped with random colours (the brushes; not a generated background region).
    public let bootstrapRows: [Int]
    /// Steps `0 ..< bootstrapSteps` are bootstrapped (`Int(0.4 * steps)` in the paper's set-up).
    public let bootstrapSteps: Int
    public let views: [LatentView]
    /// Image pixels per latent pixel (where a view sits on the canvas, ``CanvasPlacement``).
    public let scaleFactor: Int

    public init(denoiser: any Denoiser, scheduler: any DiffusionScheduler, autoencoder: LatentAutoencoder, masks: Tensor,
                bootstrapRows: [Int], bootstrapSteps: Int, views: [LatentView], scaleFactor: Int = 8) {
        self.scaleFactor = scaleFactor
        self.denoiser = denoiser
        self.scheduler = scheduler
        self.autoencoder = autoencoder
        self.masks = masks
        self.bootstrapRows = bootstrapRows
        self.bootstrapSteps = bootstrapSteps
        self.views = views
    }

    /// The result: the final latent and the averaged latent after each step.
    public struct Result: Sendable {
        public let finalLatent: Tensor
        public let latents: [Tensor]
    }

    /// Runs every step from `initialLatent` [1, C, h, w]; `progress(step, stepCount)` after each.
    /// Draws, per step and view while bootstrapping: the colours [P, 3] (through a sigmoid),
    /// then one noise [1, C, vh, vw] (R9/R11).
    public func run(initialLatent: Tensor, conditioning: RegionConditioning, noise: inout some NoiseSource,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> Result {
        let regions = masks.shape[0], stepCount = masks.shape[1]
        let channels = initialLatent.shape[1], height = initialLatent.shape[2], width = initialLatent.shape[3]
        guard masks.rank == 5, masks.shape[3] == height, masks.shape[4] == width, stepCount == scheduler.slotCount else {
            throw RegionGenerationError.invalidInput(name: "masks",
                reason: "has shape \(masks.shape), expected [regions, \(scheduler.slotCount), 1, \(height), \(width)]")
        }
        guard conditioning.count == regions else {
            throw RegionGenerationError.invalidInput(name: "conditioning", reason: "has \(conditioning.count) rows for \(regions) regions")
        }
        if let bad = bootstrapRows.first(where: { !(0..<regions).contains($0) }) {
            throw RegionGenerationError.invalidInput(name: "bootstrapRows", reason: "row \(bad) is not one of the \(regions) regions")
        }
        let batch = conditioning.modelBatch
        var latent = initialLatent
        var latents: [Tensor] = []
        for step in 0..<stepCount {
            try Task.checkCancellation()
            var value = Tensor.zeros([1, channels, height, width])
            var count = Tensor.zeros([1, 1, height, width])
            let stepMasks = masks.selecting(index: step, alongDimension: 1)
            for view in views {
                try Task.checkCancellation()
                let weights = stepMasks.cropped(to: view.region)
                var copies = Tensor.concatenateOuter(Array(repeating: latent.cropped(to: view.region), count: regions))
                if step < bootstrapSteps, !bootstrapRows.isEmpty {
                    copies = try bootstrap(copies, masks: weights, step: step, view: view, noise: &noise)
                }
                let slots = Array(repeating: step, count: regions)
                let prediction = try GuidedPrediction.predict(denoiser: denoiser, scheduler: scheduler, samples: copies,
                                                              slots: slots, batch: batch,
                                                              placement: view.placement(latentHeight: height, latentWidth: width,
                                                                                        scaleFactor: scaleFactor))
                let stepped = try scheduler.denoise(modelOutput: prediction, sample: copies, slots: slots)
                RegionStepMath.accumulate(value: &value, count: &count, denoised: stepped, masks: weights,
                                          viewWeights: view.weightTensor, region: view.region)
            }
            latent = RegionStepMath.average(value: value, count: count)
            latents.append(latent)
            progress(step + 1, stepCount)
        }
        return Result(finalLatent: latent, latents: latents)
    }

    /// Random-colour bootstrapping of the brush rows: colours = sigmoid(draw [P, 3]) (float32
    /// exp, as the reference), the constant-colour images encoded, noised to `step` with one
    /// shared draw, and x_r = (1 - m_r) boot_r + m_r x_r.
    private func bootstrap(_ copies: Tensor, masks: Tensor, step: Int, view: LatentView,
                           noise: inout some NoiseSource) throws -> Tensor {
        let rows = bootstrapRows.count, channels = copies.shape[1]
        let factor = autoencoder.scaleFactor
        let draw = try noise.next(shape: [rows, 3])
        // 1 / (1 + expf(-x)).
        let colours = Tensor(shape: [rows, 3], repeating: 1) / (draw * -1).applying(.exp).affine(scale: 1, shift: 1)
        let images = colours.reshaped([rows, 3, 1, 1]).expanded(to: [rows, 3, view.height * factor, view.width * factor])
        let clean = try autoencoder.encode(images: images)
        let shared = try noise.next(shape: [1, channels, view.height, view.width])
        let boot = try scheduler.addNoise(clean, noise: Tensor.concatenateOuter(Array(repeating: shared, count: rows)),
                                          slots: Array(repeating: step, count: rows))
        var mixed = (0..<copies.shape[0]).map { copies.slice(outer: $0, length: 1) }
        for (bootIndex, region) in bootstrapRows.enumerated() {
            mixed[region] = RegionStepMath.bootstrapMix(copies: mixed[region], bootstrap: boot.slice(outer: bootIndex, length: 1),
                                                        masks: masks.slice(outer: region, length: 1))
        }
        return Tensor.concatenateOuter(mixed)
    }
}
