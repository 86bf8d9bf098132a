import TensorRuntime

/// Steps 4-6 of ALGORITHM.md §2 for sampled values: alpha, quantisation against the slot noise
/// levels, and the background weight per slot. Float32 arithmetic in PyTorch's order.
struct SlotQuantizer: Sendable {
    /// b_0 > ... > b_{T-1}.
    let noiseLevels: [Float]
    let quantization: MaskQuantization

    var slotCount: Int { noiseLevels.count }

    /// The slot-`slot` mask value for an alpha-scaled blurred value `value`.
    @inline(__always)
    func quantize(_ value: Float, slot: Int) -> Float {
        let level = noiseLevels[slot]
        switch quantization {
        case .discrete:
            return value > level ? 1 : 0
        case .continuous:
            let next: Float = slot + 1 < noiseLevels.count ? noiseLevels[slot + 1] : 0
            return min(max((value - next) / (level - next), 0), 1)
        }
    }

    /// Writes brush `brush`'s masks for latent row `row` into `latent` (`[P, T, 1, h, w]`) from
    /// the blurred values at that row's `w` sample points, scaled by `alpha`.
    func writeRow(brush: Int, row: Int, alpha: Float, blurredSamples: UnsafePointer<Float>,
                  latent: UnsafeMutablePointer<Float>, latentHeight: Int, latentWidth: Int) {
        let slotCount = slotCount
        for column in 0..<latentWidth {
            let value = blurredSamples[column] * alpha
            for slot in 0..<slotCount {
                latent[((brush * slotCount + slot) * latentHeight + row) * latentWidth + column] = quantize(value, slot: slot)
            }
        }
    }

    /// The background weights `[T, 1, h, w]`: clamp(1 - sum_p latent[p, t], 0, 1), summed in brush order.
    func background(latent: Tensor) -> Tensor {
        let brushCount = latent.shape[0], plane = latent.shape[3] * latent.shape[4]
        let slotCount = slotCount
        let result = Tensor(uninitializedShape: [slotCount, 1, latent.shape[3], latent.shape[4]])
        let source = latent.pointer, output = result.pointer
        for slot in 0..<slotCount {
            for index in 0..<plane {
                var sum: Float = 0
                for brush in 0..<brushCount { sum += source[(brush * slotCount + slot) * plane + index] }
                output[slot * plane + index] = min(max(1 - sum, 0), 1)
            }
        }
        return result
    }
}
