/// PyTorch's `interpolate(mode="bicubic", align_corners=False)` on [C, H, W] (cubic convolution
/// with A = -0.75, source coordinate (x + 0.5) * in/out - 0.5, edge indices clamped), used to fit
/// a background image to the canvas (docs/ALGORITHM.md §4).
enum BicubicResize {
    static func resize(_ image: Tensor, height outHeight: Int, width outWidth: Int) -> Tensor {
        let channels = image.shape[0], height = image.shape[1], width = image.shape[2]
        if height == outHeight && width == outWidth { return image.copy() }
        let rows = taps(input: height, output: outHeight)
        let columns = taps(input: width, output: outWidth)
        let result = Tensor(uninitializedShape: [channels, outHeight, outWidth])
        for channel in 0..<channels {
            let plane = image.pointer + channel * height * width
            for y in 0..<outHeight {
                let row = rows[y]
                for x in 0..<outWidth {
                    let column = columns[x]
                    var total: Float = 0
                    for j in 0..<4 {
                        let line = plane + row.indices[j] * width
                        var along: Float = 0
                        for i in 0..<4 { along += line[column.indices[i]] * column.weights[i] }
                        total += along * row.weights[j]
                    }
                    result.pointer[(channel * outHeight + y) * outWidth + x] = total
                }
            }
        }
        return result
    }

    private static func taps(input: Int, output: Int) -> [(indices: [Int], weights: [Float])] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { destination in
            let source = (Float(destination) + 0.5) * scale - 0.5
            let base = Int(source.rounded(.down))
            let t = source - Float(base)
            let indices = (-1...2).map { min(max(base + $0, 0), input - 1) }
            return (indices, [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)])
        }
    }

    private static let a: Float = -0.75
    private static func cubic1(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
    private static func cubic2(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
}
