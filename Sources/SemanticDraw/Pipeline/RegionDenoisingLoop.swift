import DiffusionModels
import Schedulers
import TensorRuntime

/// The slot loop of one-shot region generation (ALGORITHM.md §4; docs/REFERENCE_PIPELINE.md
/// R6, R7, R9): per slot and view, one batched UNet call over every region's copy of the view,
/// optional bootstrapping with mask centring and leak suppression, the deterministic denoise part
/// per region, mask-weighted averaging, background fill, and the noise part added once after
/// averaging ("latent pre-averaging").
public struct RegionDenoisingLoop: Sendable {
    /// Per-region conditioning: conditional rows, and unconditional rows when guidance > 1.
    public struct Conditioning: Sendable {
        public let conditional: Tensor        // [R, S, D]
        public let unconditional: Tensor?     // [R, S, D]
        public let guidance: Float

        public init(conditional: Tensor, unconditional: Tensor?, guidance: Float) {
            self.conditional = conditional
            self.unconditional = unconditional
            self.guidance = guidance
        }
    }

    public let unet: UNet2DConditionModel
    public let scheduler: any DiffusionScheduler
    /// Quantised masks [R, T, 1, h, w] (region order as the conditioning rows).
    public let masks: Tensor
    /// The background latent [1, C, h, w] filling uncovered weight (clean, x0 space for LCM), if any.
    public let backgroundLatent: Tensor?
    /// The white latent [1, C, h, w] for bootstrapping (needed when bootstrapSteps > 0).
    public let whiteLatent: Tensor?
    public let bootstrapSteps: Int
    public let bootstrapMix: Float
    public let views: [LatentView]

    public init(unet: UNet2DConditionModel, scheduler: any DiffusionScheduler, masks: Tensor, backgroundLatent: Tensor?,
                whiteLatent: Tensor?, bootstrapSteps: Int, bootstrapMix: Float, views: [LatentView]) {
        self.unet = unet
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
    public func run(initialLatent: Tensor, conditioning: Conditioning, noise: inout some NoiseSource,
                    progress: (Int, Int) -> Void = { _, _ in }) throws -> Result {
        let regions = masks.shape[0], slotCount = masks.shape[1]
        let channels = initialLatent.shape[1], height = initialLatent.shape[2], width = initialLatent.shape[3]
        guard masks.rank == 5, masks.shape[3] == height, masks.shape[4] == width, slotCount == scheduler.slotCount else {
            throw RegionGenerationError.invalidInput(name: "masks",
                reason: "has shape \(masks.shape), expected [regions, \(scheduler.slotCount), 1, \(height), \(width)]")
        }
        guard conditioning.conditional.shape[0] == regions else {
            throw RegionGenerationError.invalidInput(name: "conditioning",
                reason: "has \(conditioning.conditional.shape[0]) rows for \(regions) regions")
        }
        if bootstrapSteps > 0 && whiteLatent == nil {
            throw RegionGenerationError.invalidInput(name: "whiteLatent", reason: "is needed for bootstrapping")
        }
        let (context, guidance) = GuidedNoisePrediction.context(conditioning)
        var latent = initialLatent
        var denoisedPerSlot: [Tensor] = [], latentPerSlot: [Tensor] = []
        for slot in 0..<slotCount {
            try Task.checkCancellation()
            let value = Tensor.zeros([1, channels, height, width])
            let count = Tensor.zeros([1, 1, height, width])
            for view in views {
                try Task.checkCancellation()
                try accumulate(view: view, slot: slot, latent: latent, regions: regions, context: context,
                               guidance: guidance, noise: &noise, value: value, count: count)
            }
            // latent = value / count where count > 0; convex background fill (R7).
            var averaged = ViewAggregation.average(value: value, count: count)
            let plane = height * width
            if let backgroundLatent {
                let filled = Tensor(uninitializedShape: averaged.shape)
                for channel in 0..<channels {
                    for index in 0..<plane {
                        let uncovered = min(max(1 - count.pointer[index], 0), 1)
                        let offset = channel * plane + index
                        filled.pointer[offset] = (1 - uncovered) * averaged.pointer[offset] + uncovered * backgroundLatent.pointer[offset]
                    }
                }
                averaged = filled
            }
            denoisedPerSlot.append(averaged)
            if slot < slotCount - 1 {
                let draw = try noise.next(shape: [1, channels, height, width])
                latent = try scheduler.noise(averaged, noise: draw, slot: slot)
            } else {
                latent = averaged
            }
            latentPerSlot.append(latent)
            progress(slot + 1, slotCount)
        }
        return Result(finalLatent: latent, denoised: denoisedPerSlot, latents: latentPerSlot)
    }

    /// Steps 1-6 of R7 for one view: adds Σ_p m·V·z_p to `value` and Σ_p m·V to `count`.
    private func accumulate(view: LatentView, slot: Int, latent: Tensor, regions: Int, context: Tensor, guidance: Float?,
                            noise: inout some NoiseSource, value: Tensor, count: Tensor) throws {
        let channels = latent.shape[1]
        let viewHeight = view.height, viewWidth = view.width, viewPlane = viewHeight * viewWidth
        // Crops: the latent view (1 x C x vh x vw) and each region's mask (R x vh x vw).
        let crop = ViewAggregation.crop(latent, view)
        let regionMasks = ViewAggregation.maskCrops(masks, slot: slot, view: view)
        // Copies per region; bootstrapping mixes in the noised bootstrap latent and centres.
        var copies = Tensor.concatenateOuter(Array(repeating: crop, count: regions))
        var boot: Tensor?
        var shifts = [(Int, Int)](repeating: (0, 0), count: regions)
        if slot < bootstrapSteps, let whiteLatent {
            let white = ViewAggregation.crop(whiteLatent, view)
            var clean = white
            if let backgroundLatent {
                let ratio = min(1, max(0, bootstrapMix - Float(slot)))
                let background = ViewAggregation.crop(backgroundLatent, view)
                clean = white * ratio + background * (1 - ratio)
            }
            let draw = try noise.next(shape: [1, channels, viewHeight, viewWidth])
            let noised = try scheduler.addNoise(clean, noise: draw, slot: slot)
            boot = noised
            let mixed = Tensor(uninitializedShape: copies.shape)
            for region in 0..<regions {
                for channel in 0..<channels {
                    for index in 0..<viewPlane {
                        let m = regionMasks[region][index]
                        let offset = (region * channels + channel) * viewPlane + index
                        mixed.pointer[offset] = (1 - m) * noised.pointer[channel * viewPlane + index] + m * copies.pointer[offset]
                    }
                }
                shifts[region] = MaskCentring.shift(mask: regionMasks[region], height: viewHeight, width: viewWidth)
            }
            copies = MaskCentring.roll(mixed, shifts: shifts)
        }
        // One batched model call (twice the rows with guidance), then the denoise part.
        let prediction = try GuidedNoisePrediction.predict(unet: unet, scheduler: scheduler, copies: copies, slot: slot,
                                                           context: context, guidance: guidance)
        var denoised = try scheduler.denoise(modelOutput: prediction, sample: copies, slots: [Int](repeating: slot, count: regions))
        var weights = regionMasks
        if let boot {
            denoised = MaskCentring.roll(denoised, shifts: shifts.map { (-$0.0, -$0.1) })
            // Leak suppression: m <- m * (2 sigmoid(d / 0.2) - 1), d = mean over channels of (z - boot)^2.
            for region in 0..<regions {
                for index in 0..<viewPlane {
                    var total: Float = 0
                    for channel in 0..<channels {
                        let difference = denoised.pointer[(region * channels + channel) * viewPlane + index] - boot.pointer[channel * viewPlane + index]
                        total += difference * difference
                    }
                    let distance = total / Float(channels)
                    let sigmoid = 1 / (1 + Self.exp(-distance / 0.2))
                    weights[region][index] = weights[region][index] * (sigmoid * 2 - 1)
                }
            }
        }
        // value += Σ_p (m V) z_p; count += Σ_p m V (regions in order).
        ViewAggregation.accumulate(denoised, weights: weights, view: view, value: value, count: count)
    }

    static func exp(_ x: Float) -> Float { Float(_exp(Double(x))) }
}

import Foundation
private func _exp(_ x: Double) -> Double { Foundation.exp(x) }
