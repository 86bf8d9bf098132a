import TensorRuntime

/// The view arithmetic shared by the region loops (docs/REFERENCE_PIPELINE.md R5, R7, R11):
/// cropping latents and masks to a view, adding mask- and view-weighted results to the
/// accumulators, and the final value / count division.
enum ViewAggregation {
    /// The view's crop of a [1, C, h, w] latent: [1, C, vh, vw].
    static func crop(_ latent: Tensor, _ view: LatentView) -> Tensor {
        let channels = latent.shape[1], height = latent.shape[2], width = latent.shape[3]
        let result = Tensor(uninitializedShape: [1, channels, view.height, view.width])
        for channel in 0..<channels {
            for y in 0..<view.height {
                (result.pointer + (channel * view.height + y) * view.width)
                    .update(from: latent.pointer + (channel * height + view.top + y) * width + view.left, count: view.width)
            }
        }
        return result
    }

    /// Each region's mask of `slot` cropped to the view (row-major vh x vw), from masks [R, T, 1, h, w].
    static func maskCrops(_ masks: Tensor, slot: Int, view: LatentView) -> [[Float]] {
        let regions = masks.shape[0], slotCount = masks.shape[1], height = masks.shape[3], width = masks.shape[4]
        let viewWidth = view.width
        return (0..<regions).map { region in
            let base = masks.pointer + (region * slotCount + slot) * height * width
            return (0..<(view.height * viewWidth)).map { index in
                base[(view.top + index / viewWidth) * width + view.left + index % viewWidth]
            }
        }
    }

    /// value += Σ_r (m_r V) z_r and count += Σ_r m_r V over the view, regions in order;
    /// `results` is [R, C, vh, vw], `value` [1, C, h, w], `count` [1, 1, h, w].
    static func accumulate(_ results: Tensor, weights: [[Float]], view: LatentView, value: Tensor, count: Tensor) {
        let channels = value.shape[1], height = value.shape[2], width = value.shape[3]
        let viewWidth = view.width, viewPlane = view.height * viewWidth
        for region in weights.indices {
            for index in 0..<viewPlane {
                let weight = weights[region][index] * view.weights[index]
                let y = view.top + index / viewWidth, x = view.left + index % viewWidth
                count.pointer[y * width + x] += weight
                for channel in 0..<channels {
                    value.pointer[(channel * height + y) * width + x] += weight * results.pointer[(region * channels + channel) * viewPlane + index]
                }
            }
        }
    }

    /// value / count where count > 0, value elsewhere (`torch.where(count > 0, value / count, value)`).
    static func average(value: Tensor, count: Tensor) -> Tensor {
        let channels = value.shape[1], plane = value.shape[2] * value.shape[3]
        let averaged = Tensor(uninitializedShape: value.shape)
        for channel in 0..<channels {
            for index in 0..<plane {
                let weight = count.pointer[index], sum = value.pointer[channel * plane + index]
                averaged.pointer[channel * plane + index] = weight > 0 ? sum / weight : sum
            }
        }
        return averaged
    }
}
