import TensorRuntime

/// One view of the latent canvas (docs/ALGORITHM.md §4 "Tiling"; docs/REFERENCE_PIPELINE.md R5):
/// rows `top ..< bottom`, columns `left ..< right`, with its blending weight (vh x vw).
public struct LatentView: Sendable, Equatable {
    public let top: Int, bottom: Int, left: Int, right: Int
    /// Row-major vh x vw weights.
    public let weights: [Float]

    public var height: Int { bottom - top }
    public var width: Int { right - left }
    /// The view's rows and columns.
    public var region: SpatialRegion { SpatialRegion(top: top, left: left, height: height, width: width) }
    /// Where the view sits on a canvas of `latentHeight` x `latentWidth` latent pixels, in image pixels.
    public func placement(latentHeight: Int, latentWidth: Int, scaleFactor: Int) -> CanvasPlacement {
        CanvasPlacement(canvasHeight: latentHeight * scaleFactor, canvasWidth: latentWidth * scaleFactor,
                        top: top * scaleFactor, left: left * scaleFactor)
    }
    /// The weights as a [1, 1, vh, vw] tensor.
    public var weightTensor: Tensor { Tensor(shape: [1, 1, height, width], values: weights) }
}

/// The views covering an h x w latent for a tile of `tile / scaleFactor` latent pixels.
public enum LatentViews {
    /// Views in row-major order (rows outer). A canvas no larger than the tile in both
    /// dimensions (`height <= tile` and `width <= tile` in pixels) is one view of weight 1.
    ///
    /// `alignment` (the denoiser's ``Denoiser/latentSizeMultiple``; SD3: its patch size 2) keeps
    /// every view's sides multiples of it on a canvas whose latent sides are: above 1, the window
    /// is rounded down to a multiple of twice the alignment (so the half-window stride is a
    /// multiple too). SD3's 1024-px tile (window 128) is unchanged; a 48-px tile becomes 32 px.
    public static func views(latentHeight: Int, latentWidth: Int, tilePixels: Int, scaleFactor: Int, alignment: Int = 1) -> [LatentView] {
        var window = tilePixels / scaleFactor
        if alignment > 1 { window = max(2 * alignment, window - window % (2 * alignment)) }
        let tiling = latentHeight * scaleFactor > tilePixels || latentWidth * scaleFactor > tilePixels
        guard tiling, window > 0 else {
            return [LatentView(top: 0, bottom: latentHeight, left: 0, right: latentWidth,
                               weights: Array(repeating: 1, count: latentHeight * latentWidth))]
        }
        let rows = axis(length: latentHeight, window: window)
        let columns = axis(length: latentWidth, window: window)
        var views: [LatentView] = []
        for row in rows {
            for column in columns {
                var weights = [Float](repeating: 0, count: row.profile.count * column.profile.count)
                for y in 0..<row.profile.count {
                    for x in 0..<column.profile.count {
                        weights[y * column.profile.count + x] = row.profile[y] * column.profile[x]
                    }
                }
                views.append(LatentView(top: row.start, bottom: row.end, left: column.start, right: column.end, weights: weights))
            }
        }
        return views
    }

    /// The spans and weight profiles along one axis (R5).
    static func axis(length: Int, window: Int) -> [(start: Int, end: Int, profile: [Float])] {
        guard length > window else { return [(0, length, Array(repeating: 1, count: length))] }
        let stride = max(1, window / 2)
        let count = (length - window + stride - 1) / stride + 1
        let half = linspace(0, 1, count: (window + 1) / 2)
        let tail = Array((window % 2 == 1 ? half.dropLast() : half[...]).reversed())
        let profile = half + tail
        return (0..<count).map { index in
            let start = index * stride
            let end = min(start + window, length)
            var weights = profile
            if index == 0 { for j in 0..<(window / 2) { weights[j] = 1 } }
            if index == count - 1 { for j in (window - window / 2)..<window { weights[j] = 1 } }
            return (start, end, Array(weights.prefix(end - start)))
        }
    }

    /// `torch.linspace(start, end, count)` in float32: value j = fma(j, step, start) for
    /// j < count/2, fma(-(count-1-j), step, end) otherwise (docs/ALGORITHM.md §1's rule).
    static func linspace(_ start: Float, _ end: Float, count: Int) -> [Float] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (end - start) / Float(count - 1)
        return (0..<count).map { j in
            j < count / 2 ? start.addingProduct(Float(j), step) : end.addingProduct(-Float(count - 1 - j), step)
        }
    }
}
