/// For every image pixel, the index of the last brush whose mask is non-zero there (-1 where
/// none is), stored as float so the blur's inner loop compares without conversion.
///
/// Brush p is covered at a pixel (multiplied by the cover factor, docs/ALGORITHM.md §2, step 2)
/// exactly when this index is greater than p, i.e. when some later brush is > 0 there.
struct MaskCoverMap: Sendable {
    /// `[H, W]`, values -1...P-1.
    let lastNonZeroBrush: Tensor

    /// Builds the map from the resized masks (all `[H, W]`).
    init(masks: [Tensor], height: Int, width: Int) {
        let map = Tensor(uninitializedShape: [height, width])
        let pointers = masks.map(\.pointer)
        let output = map.pointer
        parallelRanges(height, minimumPerTask: 16) { rows in
            let pixels = rows.lowerBound * width..<rows.upperBound * width
            (output + pixels.lowerBound).initialize(repeating: -1, count: pixels.count)
            for (brush, mask) in pointers.enumerated() {
                let index = Float(brush)
                for pixel in pixels where mask[pixel] > 0 { output[pixel] = index }
            }
        }
        lastNonZeroBrush = map
    }
}
