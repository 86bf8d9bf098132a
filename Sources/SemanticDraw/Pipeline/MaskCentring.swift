import TensorRuntime

/// Mask centring for bootstrapping (ALGORITHM.md §4 step 2; docs/REFERENCE_PIPELINE.md R6).
public enum MaskCentring {
    /// The circular shift (rows, columns) that moves the centre of the mask's bounding box
    /// (of entries > 0) to the view centre; an empty mask gives (h div 2, w div 2).
    public static func shift(mask: [Float], height: Int, width: Int) -> (Int, Int) {
        var top = -1, bottom = 0, left = Int.max, right = 0
        for y in 0..<height {
            for x in 0..<width where mask[y * width + x] > 0 {
                if top < 0 { top = y }
                bottom = y
                left = min(left, x)
                right = max(right, x)
            }
        }
        if top < 0 { top = 0; bottom = 0; left = 0; right = 0 }
        let centreY = (top + bottom + 1) / 2, centreX = (left + right + 1) / 2
        return (height / 2 - centreY, width / 2 - centreX)
    }

    /// `torch.roll` of each batch element b of [B, C, h, w] by shifts[b] over the last two dims.
    public static func roll(_ tensor: Tensor, shifts: [(Int, Int)]) -> Tensor {
        let batch = tensor.shape[0], channels = tensor.shape[1], height = tensor.shape[2], width = tensor.shape[3]
        let result = Tensor(uninitializedShape: tensor.shape)
        for element in 0..<batch {
            let (rows, columns) = shifts[element]
            for channel in 0..<channels {
                let base = (element * channels + channel) * height * width
                for y in 0..<height {
                    let targetY = ((y + rows) % height + height) % height
                    for x in 0..<width {
                        let targetX = ((x + columns) % width + width) % width
                        result.pointer[base + targetY * width + targetX] = tensor.pointer[base + y * width + x]
                    }
                }
            }
        }
        return result
    }
}
