import ImageCodecs
import TensorRuntime

extension Image {
    /// The image as a brush mask, a `[height, width]` tensor in 0...1 with docs/ALGORITHM.md §2's
    /// polarity (1 = inside the brush): a greyscale image's value / 255, an RGBA image's
    /// alpha / 255 (grey + alpha files decode as RGBA, so they use alpha too), an RGB image's
    /// luminance / 255 — white = inside — with Pillow's `convert("L")` integer luminance
    /// (ITU-R BT.601 weights 0.299, 0.587, 0.114 in 16-bit fixed point, rounded; see
    /// `Image.luminance()`), so masks match the PIL-based reference exactly.
    public func brushMask() -> Tensor {
        let samples = alpha() ?? luminance()
        return Tensor(shape: [height, width], values: samples.map { Float($0) / 255 })
    }
}
