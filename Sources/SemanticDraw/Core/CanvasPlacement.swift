/// Where a denoised view sits on the canvas, in image pixels: the canvas size and the view's
/// top-left corner. SDXL's UNet is conditioned on it through its `time_ids` (original size,
/// crop top-left, target size; docs/ALGORITHM.md §3), which the authors' SDXL pipeline sets to
/// the canvas size and, per tile, the tile's offset. Families without such inputs ignore it.
public struct CanvasPlacement: Sendable, Equatable {
    /// The canvas (the generated image) in pixels.
    public var canvasHeight: Int
    public var canvasWidth: Int
    /// The view's offset from the canvas's top-left corner, in pixels.
    public var top: Int
    public var left: Int

    public init(canvasHeight: Int, canvasWidth: Int, top: Int = 0, left: Int = 0) {
        self.canvasHeight = canvasHeight
        self.canvasWidth = canvasWidth
        self.top = top
        self.left = left
    }

    /// SDXL's six `time_ids`: (original height, original width, crop top, crop left, target
    /// height, target width), with original = target = the canvas.
    public var timeIDs: [Float] {
        [canvasHeight, canvasWidth, top, left, canvasHeight, canvasWidth].map(Float.init)
    }
}
