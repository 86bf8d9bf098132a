import DiffusionModels
import Foundation
import Schedulers
import TensorRuntime

/// The step loop of the baseline MultiDiffusion (the paper's Algorithm S1, as the pinned
/// reference implements it: docs/REFERENCE_PIPELINE.md R11). Per step and view: every region's
/// copy of the view, brush regions bootstrapped with a random constant colour during the first
/// steps, one batched (guided) UNet call, the **full** scheduler step per copy (DDIM, eta 0),
/// then mask- and view-weighted averaging after the step. No centring, no leak suppression,
/// no background fill, no separate noise part.
public struct MultiDiffusionLoop: Sendable {
    public let unet: UNet2DConditionModel
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

    public init(unet: UNet2DConditionModel, scheduler: any DiffusionScheduler, autoencoder: LatentAutoencoder, masks: Tensor,
                bootstrapRows: [Int], bootstrapSteps: Int, views: [LatentView]) {
        self.unet = unet
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
    public func run(initialLatent: Tensor, conditioning: RegionDenoisingLoop.Conditioning, noise: inout some NoiseSource,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> Result {
        let regions = masks.shape[0], stepCount = masks.shape[1]
        let channels = initialLatent.shape[1], height = initialLatent.shape[2], width = initialLatent.shape[3]
        guard masks.rank == 5, masks.shape[3] == height, masks.shape[4] == width, stepCount == scheduler.slotCount else {
            throw RegionGenerationError.invalidInput(name: "masks",
                reason: "has shape \(masks.shape), expected [regions, \(scheduler.slotCount), 1, \(height), \(width)]")
        }
        guard conditioning.conditional.shape[0] == regions else {
            throw RegionGenerationError.invalidInput(name: "conditioning",
                reason: "has \(conditioning.conditional.shape[0]) rows for \(regions) regions")
        }
        if let bad = bootstrapRows.first(where: { !(0..<regions).contains($0) }) {
            throw RegionGenerationError.invalidInput(name: "bootstrapRows", reason: "row \(bad) is not one of the \(regions) regions")
        }
        let (context, guidance) = GuidedNoisePrediction.context(conditioning)
        var latent = initialLatent
        var latents: [Tensor] = []
        for step in 0..<stepCount {
            try Task.checkCancellation()
            let value = Tensor.zeros([1, channels, height, width])
            let count = Tensor.zeros([1, 1, height, width])
            for view in views {
                try Task.checkCancellation()
                let weights = ViewAggregation.maskCrops(masks, slot: step, view: view)
                var copies = Tensor.concatenateOuter(Array(repeating: ViewAggregation.crop(latent, view), count: regions))
                if step < bootstrapSteps, !bootstrapRows.isEmpty {
                    copies = try bootstrap(copies, masks: weights, step: step, view: view, noise: &noise)
                }
                let prediction = try GuidedNoisePrediction.predict(unet: unet, scheduler: scheduler, copies: copies, slot: step,
                                                                   context: context, guidance: guidance)
                let stepped = try scheduler.denoise(modelOutput: prediction, sample: copies,
                                                    slots: [Int](repeating: step, count: regions))
                ViewAggregation.accumulate(stepped, weights: weights, view: view, value: value, count: count)
            }
            latent = ViewAggregation.average(value: value, count: count)
            latents.append(latent)
            progress(step + 1, stepCount)
        }
        return Result(finalLatent: latent, latents: latents)
    }

    /// Random-colour bootstrapping of the brush rows: colours = sigmoid(draw [P, 3]), the
    /// constant-colour images encoded, noised to `step` with one shared draw, and
    /// x_r = (1 - m_r) boot_r + m_r x_r.
    private func bootstrap(_ copies: Tensor, masks: [[Float]], step: Int, view: LatentView,
                           noise: inout some NoiseSource) throws -> Tensor {
        let rows = bootstrapRows.count, channels = copies.shape[1], viewPlane = view.height * view.width
        let factor = autoencoder.scaleFactor
        let colours = try noise.next(shape: [rows, 3])
        let imageHeight = view.height * factor, imageWidth = view.width * factor, imagePlane = imageHeight * imageWidth
        let images = Tensor(uninitializedShape: [rows, 3, imageHeight, imageWidth])
        for index in 0..<(rows * 3) {
            let colour = 1 / (1 + Foundation.exp(-colours.pointer[index]))
            (images.pointer + index * imagePlane).update(repeating: colour, count: imagePlane)
        }
        let clean = try autoencoder.encode(images: images)
        let draw = try noise.next(shape: [1, channels, view.height, view.width])
        let boot = try scheduler.addNoise(clean, noise: Tensor.concatenateOuter(Array(repeating: draw, count: rows)),
                                          slots: [Int](repeating: step, count: rows))
        let result = copies.copy()
        for (bootIndex, region) in bootstrapRows.enumerated() {
            for channel in 0..<channels {
                for index in 0..<viewPlane {
                    let m = masks[region][index]
                    let offset = (region * channels + channel) * viewPlane + index
                    result.pointer[offset] = (1 - m) * boot.pointer[(bootIndex * channels + channel) * viewPlane + index]
                        + m * copies.pointer[offset]
                }
            }
        }
        return result
    }
}
