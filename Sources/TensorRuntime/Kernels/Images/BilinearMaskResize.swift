/// Bilinear resizing of one `[H', W']` mask to `[H, W]` with PyTorch's
/// `F.interpolate(mode="bilinear", align_corners=False)` rule (docs/ALGORITHM.md §2, step 1).
///
/// Matches PyTorch 2.13's CPU float32 kernel: scale = float(in)/out, source coordinate
/// float(scale * (dst + 0.5) - 0.5) evaluated in double and clamped at 0, the lower neighbour
/// clamped to in-1, the upper one equal to it at the border; width interpolated first.
enum BilinearMaskResize {
    /// Source indices and weights along one axis.
    struct AxisTaps {
        var lower: [Int] = []
        var upper: [Int] = []
        var lowerWeight: [Float] = []
        var upperWeight: [Float] = []

        init(inputSize: Int, outputSize: Int) {
            let scale = Float(inputSize) / Float(outputSize)
            for index in 0..<outputSize {
                var source = Float(Double(scale) * (Double(index) + 0.5) - 0.5)
                if source < 0 { source = 0 }
                let low = min(Int(source.rounded(.down)), inputSize - 1)
                let lambda = min(max(source - Float(low), 0), 1)
                lower.append(low)
                upper.append(low < inputSize - 1 ? low + 1 : low)
                lowerWeight.append(1 - lambda)
                upperWeight.append(lambda)
            }
        }
    }

    /// `mask` resized to `height` x `width`; the input itself when it already has that size.
    static func resize(_ mask: Tensor, height: Int, width: Int) -> Tensor {
        let inputHeight = mask.shape[0], inputWidth = mask.shape[1]
        if inputHeight == height && inputWidth == width { return mask }
        let rows = AxisTaps(inputSize: inputHeight, outputSize: height)
        let columns = AxisTaps(inputSize: inputWidth, outputSize: width)
        let result = Tensor(uninitializedShape: [height, width])
        let source = mask.pointer, output = result.pointer
        parallelFor(height, minimumPerTask: 16) { row in
            let top = source + rows.lower[row] * inputWidth
            let bottom = source + rows.upper[row] * inputWidth
            let topWeight = rows.lowerWeight[row], bottomWeight = rows.upperWeight[row]
            let destination = output + row * width
            for column in 0..<width {
                let left = columns.lower[column], right = columns.upper[column]
                let leftWeight = columns.lowerWeight[column], rightWeight = columns.upperWeight[column]
                let upperValue = top[left] * leftWeight + top[right] * rightWeight
                let lowerValue = bottom[left] * leftWeight + bottom[right] * rightWeight
                destination[column] = upperValue * topWeight + lowerValue * bottomWeight
            }
        }
        return result
    }
}
