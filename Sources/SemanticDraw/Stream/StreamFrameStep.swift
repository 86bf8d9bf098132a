import DiffusionModels
import Schedulers
import TensorRuntime

/// Steps 3-5 of one stream frame (ALGORITHM.md §5): every slot's latent copied once per
/// region (batch T*R, timestep-major), bootstrapping with mask centring on bootstrap slots only,
/// ONE batched UNet call (twice the rows with guidance), the deterministic denoise part per
/// element, mask-weighted aggregation per slot and the background fill with the clean
/// background latent (the aggregate is LCM's x0-space z).
struct StreamFrameStep {
    let unet: UNet2DConditionModel
    let scheduler: any DiffusionScheduler
    /// [R, T, 1, h, w], regions in conditioning order; nil when there is no region.
    let masks: Tensor?
    let conditioning: StreamConditioning?
    /// The clean background latent [1, C, h, w] (cases (a), (b), (d)).
    let backgroundLatent: Tensor?
    /// The clean bootstrap latent of each bootstrap slot.
    let bootstrapLatents: [Tensor]
    let suppressesBootstrapLeak: Bool
    /// The UNet call runs on chunks of at most this many samples (nil: one call).
    let modelBatchLimit: Int?

    /// The aggregated, background-filled z of every slot, [T, C, h, w], for the slot inputs
    /// `input` [T, C, h, w] and the stock noise [T, C, h, w].
    func run(input: Tensor, stockNoise: Tensor) throws -> Tensor {
        let slotCount = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3]
        let plane = height * width
        guard let masks, let conditioning else {
            // No region: every slot is the background (or zero without one).
            return Tensor.concatenateOuter(Array(repeating: backgroundLatent ?? Tensor.zeros([1, channels, height, width]),
                                                 count: slotCount))
        }
        let regions = conditioning.regionCount, rows = slotCount * regions
        let rowSlots = (0..<rows).map { $0 / regions }
        var weights = (0..<rows).map { row -> [Float] in
            let base = masks.pointer + ((row % regions) * slotCount + row / regions) * plane
            return Array(UnsafeBufferPointer(start: base, count: plane))
        }
        // Copies: row k*R + r is slot k's latent.
        var copies = Tensor(uninitializedShape: [rows, channels, height, width])
        let latentCount = channels * plane
        for row in 0..<rows {
            (copies.pointer + row * latentCount).update(from: input.pointer + rowSlots[row] * latentCount, count: latentCount)
        }
        // Bootstrap slots: (1 - m) * boot_k + m * x, boot_k noised to slot k with stock_noise[k]; centre the copy.
        let bootstrapSlots = min(bootstrapLatents.count, slotCount)
        var shifts = [(Int, Int)](repeating: (0, 0), count: rows)
        var noisedBootstraps: [Tensor] = []
        for slot in 0..<bootstrapSlots {
            let noised = try scheduler.addNoise(bootstrapLatents[slot], noise: stockNoise.slice(outer: slot, length: 1), slot: slot)
            noisedBootstraps.append(noised)
            for row in slot * regions..<(slot + 1) * regions {
                let mask = weights[row], base = copies.pointer + row * latentCount
                for channel in 0..<channels {
                    for index in 0..<plane {
                        let offset = channel * plane + index, m = mask[index]
                        base[offset] = (1 - m) * noised.pointer[offset] + m * base[offset]
                    }
                }
                shifts[row] = MaskCentring.shift(mask: mask, height: height, width: width)
            }
        }
        if bootstrapSlots > 0 { copies = MaskCentring.roll(copies, shifts: shifts) }

        // One batched model call, then the deterministic denoise part per element.
        let guidance = conditioning.guidance
        let modelInput = try scheduler.scaleModelInput(copies, slots: rowSlots)
        var timesteps = rowSlots.map { scheduler.timesteps[$0] }
        var batch = modelInput
        if guidance != nil {
            batch = Tensor.concatenateOuter([modelInput, modelInput])
            timesteps += timesteps
        }
        var prediction = try unet(sample: batch, timesteps: timesteps, encoderHiddenStates: conditioning.context,
                                  maximumBatch: modelBatchLimit)
        if let guidance {
            let unconditional = prediction.slice(outer: 0, length: rows)
            let conditional = prediction.slice(outer: rows, length: rows)
            prediction = unconditional + (conditional - unconditional) * guidance
        }
        var denoised = try scheduler.denoise(modelOutput: prediction, sample: copies, slots: rowSlots)
        if bootstrapSlots > 0 {
            denoised = MaskCentring.roll(denoised, shifts: shifts.map { (-$0.0, -$0.1) })
            if suppressesBootstrapLeak {
                suppressLeak(denoised: denoised, weights: &weights, bootstraps: noisedBootstraps, regions: regions,
                             channels: channels, plane: plane)
            }
        }
        return aggregate(denoised: denoised, weights: weights, slotCount: slotCount, regions: regions,
                         channels: channels, plane: plane, shape: [height, width])
    }

    /// The one-shot pipeline's leak suppression on bootstrap rows: m <- m (2 sigmoid(d / 0.2) - 1),
    /// d = mean over channels of (z - boot_k)^2 (docs/REFERENCE_PIPELINE.md R7 step 5).
    private func suppressLeak(denoised: Tensor, weights: inout [[Float]], bootstraps: [Tensor], regions: Int,
                              channels: Int, plane: Int) {
        for (slot, boot) in bootstraps.enumerated() {
            for row in slot * regions..<(slot + 1) * regions {
                for index in 0..<plane {
                    var total: Float = 0
                    for channel in 0..<channels {
                        let difference = denoised.pointer[(row * channels + channel) * plane + index] - boot.pointer[channel * plane + index]
                        total += difference * difference
                    }
                    let sigmoid = 1 / (1 + RegionDenoisingLoop.exp(-(total / Float(channels)) / 0.2))
                    weights[row][index] = weights[row][index] * (sigmoid * 2 - 1)
                }
            }
        }
    }

    /// Per slot: z = Σ_r m z_r / Σ_r m where the count is > 0, then the convex background fill
    /// (1 - bg) z + bg * background with bg = clamp(1 - count, 0, 1) (R7's arithmetic).
    private func aggregate(denoised: Tensor, weights: [[Float]], slotCount: Int, regions: Int, channels: Int,
                           plane: Int, shape: [Int]) -> Tensor {
        let result = Tensor(uninitializedShape: [slotCount, channels] + shape)
        let latentCount = channels * plane
        for slot in 0..<slotCount {
            var sums = [Float](repeating: 0, count: latentCount), counts = [Float](repeating: 0, count: plane)
            for row in slot * regions..<(slot + 1) * regions {
                let source = denoised.pointer + row * latentCount
                for index in 0..<plane {
                    let weight = weights[row][index]
                    counts[index] += weight
                    for channel in 0..<channels { sums[channel * plane + index] += weight * source[channel * plane + index] }
                }
            }
            let target = result.pointer + slot * latentCount
            for channel in 0..<channels {
                for index in 0..<plane {
                    let weight = counts[index], sum = sums[channel * plane + index]
                    var averaged = weight > 0 ? sum / weight : sum
                    if let backgroundLatent {
                        let uncovered = min(max(1 - weight, 0), 1)
                        averaged = (1 - uncovered) * averaged + uncovered * backgroundLatent.pointer[channel * plane + index]
                    }
                    target[channel * plane + index] = averaged
                }
            }
        }
        return result
    }
}
