import Schedulers
import TensorRuntime

/// Steps 3-5 of one stream frame (docs/ALGORITHM.md §5): every slot's latent copied once per
/// region (batch T*R, timestep-major), bootstrapping with mask centring on bootstrap slots only,
/// ONE batched denoiser call (twice the rows with guidance), the deterministic denoise part per
/// element, mask-weighted aggregation per slot and the background fill (for LCM the clean
/// background latent: the aggregate is an x0-space z). The arithmetic is ``RegionStepMath``'s.
struct StreamFrameStep: Sendable {
    let denoiser: any Denoiser
    let scheduler: any DiffusionScheduler
    /// [R, T, 1, h, w], regions in conditioning order; nil when there is no region.
    let masks: Tensor?
    let conditioning: StreamConditioning?
    /// The clean background latent [1, C, h, w] (cases (a), (b), (d)).
    let backgroundLatent: Tensor?
    /// The clean bootstrap latent of each bootstrap slot.
    let bootstrapLatents: [Tensor]
    let suppressesBootstrapLeak: Bool
    /// The denoiser call runs on chunks of at most this many samples (nil: one call).
    let modelBatchLimit: Int?
    /// Image pixels per latent pixel (the canvas size the denoiser may read, ``CanvasPlacement``).
    var scaleFactor = 8

    /// The aggregated, background-filled z of every slot, [T, C, h, w], for the slot inputs
    /// `input` [T, C, h, w], the stock noise [T, C, h, w] and the re-noising noise [T - 1, C, h, w]
    /// (slot k's background fill uses row k; the last slot's uses none).
    func run(input: Tensor, stockNoise: Tensor, renoisingNoise: Tensor) throws -> Tensor {
        let slotCount = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3]
        guard let masks, let conditioning else {
            // No region: every slot is the background (or zero without one).
            return Tensor.concatenateOuter(Array(repeating: backgroundLatent ?? Tensor.zeros([1, channels, height, width]),
                                                 count: slotCount))
        }
        let regions = conditioning.regionCount, rows = slotCount * regions
        let rowSlots = (0..<rows).map { $0 / regions }
        // Row k*R + r: slot k's latent and region r's mask of slot k.
        let slotMasks = (0..<slotCount).map { masks.selecting(index: $0, alongDimension: 1) }   // [R, 1, h, w] each
        var copies = (0..<slotCount).map { slot in
            Tensor.concatenateOuter(Array(repeating: input.slice(outer: slot, length: 1), count: regions))
        }
        // Bootstrap slots: (1 - m) * boot_k + m * x, boot_k noised to slot k with stock_noise[k]; centre the copies.
        let bootstrapSlots = min(bootstrapLatents.count, slotCount)
        var noisedBootstraps: [Tensor] = [], shifts: [(rows: Int, columns: Int)] = []
        for slot in 0..<slotCount {
            guard slot < bootstrapSlots else {
                shifts += Array(repeating: (0, 0), count: regions)
                continue
            }
            let noised = try scheduler.addNoise(bootstrapLatents[slot], noise: stockNoise.slice(outer: slot, length: 1), slot: slot)
            noisedBootstraps.append(noised)
            copies[slot] = RegionStepMath.bootstrapMix(copies: copies[slot], bootstrap: noised, masks: slotMasks[slot])
            shifts += RegionStepMath.centringShifts(masks: slotMasks[slot])
        }
        var batch = Tensor.concatenateOuter(copies)
        if bootstrapSlots > 0 { batch = batch.rolled(shifts: shifts) }

        // One batched model call, then the deterministic denoise part per element.
        let prediction = try GuidedPrediction.predict(denoiser: denoiser, scheduler: scheduler, samples: batch, slots: rowSlots,
                                                      batch: conditioning.rows.modelBatch,
                                                      placement: CanvasPlacement(canvasHeight: height * scaleFactor, canvasWidth: width * scaleFactor),
                                                      maximumBatch: modelBatchLimit)
        var denoised = try scheduler.denoise(modelOutput: prediction, sample: batch, slots: rowSlots)
        if bootstrapSlots > 0 { denoised = denoised.rolled(shifts: RegionStepMath.inverse(shifts)) }

        // Per slot: aggregate with the (leak-suppressed) masks, fill the background.
        var result: [Tensor] = []
        for slot in 0..<slotCount {
            let slotDenoised = denoised.slice(outer: slot * regions, length: regions)
            var weights = slotMasks[slot]
            if slot < bootstrapSlots, suppressesBootstrapLeak {
                weights = RegionStepMath.suppressLeak(weights: weights, denoised: slotDenoised, bootstrap: noisedBootstraps[slot])
            }
            var value = Tensor.zeros([1, channels, height, width]), count = Tensor.zeros([1, 1, height, width])
            RegionStepMath.accumulate(value: &value, count: &count, denoised: slotDenoised, masks: weights, viewWeights: nil,
                                      region: SpatialRegion(top: 0, left: 0, height: height, width: width))
            var averaged = RegionStepMath.average(value: value, count: count)
            if let backgroundLatent {
                let fillNoise = slot + 1 < slotCount ? renoisingNoise.slice(outer: slot, length: 1) : nil
                let fill = try scheduler.backgroundFill(backgroundLatent, noise: fillNoise, slot: slot)
                averaged = RegionStepMath.fillBackground(averaged: averaged, count: count, fill: fill)
            }
            result.append(averaged)
        }
        return Tensor.concatenateOuter(result)
    }
}
