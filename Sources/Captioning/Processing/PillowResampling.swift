// Port of Pillow 13.0's 8-bit resampling (src/libImaging/Resample.c: `precompute_coeffs`,
// `normalize_coeffs_8bpc`, `ImagingResampleHorizontal_8bpc` / `Vertical_8bpc`, the bicubic
// filter with a = -0.5), which transformers' `BlipImageProcessorPil` reaches through
// `PIL.Image.resize(size, resample=BICUBIC)`. Bit-exact: the same double-precision weights, the
// same 22-bit fixed-point rounding and the same uint8 clipping between the two passes.

/// Pillow's separable bicubic resize of 8-bit interleaved pixels.
enum PillowResampling {
    /// Fixed-point bits of the 8-bit kernels (`PRECISION_BITS = 32 - 8 - 2`).
    private static let precisionBits = 22

    /// `bicubic_filter` with Pillow's a = -0.5 (support 2).
    static func bicubic(_ value: Double) -> Double {
        let a = -0.5
        let x = abs(value)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    /// One output pixel's source window and fixed-point weights.
    struct Coefficients {
        let start: Int
        let weights: [Int32]
    }

    /// `precompute_coeffs` + `normalize_coeffs_8bpc` for the box 0...inputSize.
    static func coefficients(inputSize: Int, outputSize: Int) -> [Coefficients] {
        let support = 2.0
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let scaledSupport = support * filterScale
        var result: [Coefficients] = []
        result.reserveCapacity(outputSize)
        for output in 0..<outputSize {
            let center = (Double(output) + 0.5) * scale
            let inverse = 1 / filterScale
            // C's (int) cast truncates toward zero.
            let minimum = max(0, Int((center - scaledSupport + 0.5).rounded(.towardZero)))
            let maximum = min(inputSize, Int((center + scaledSupport + 0.5).rounded(.towardZero)))
            let count = max(0, maximum - minimum)
            var weights = [Double](repeating: 0, count: count)
            var total = 0.0
            for index in 0..<count {
                let weight = bicubic((Double(index + minimum) - center + 0.5) * inverse)
                weights[index] = weight
                total += weight
            }
            let fixed = weights.map { weight -> Int32 in
                let normalised = total != 0 ? weight / total : weight
                let scaled = normalised * Double(1 << precisionBits)
                return Int32((normalised < 0 ? -0.5 + scaled : 0.5 + scaled).rounded(.towardZero))
            }
            result.append(Coefficients(start: minimum, weights: fixed))
        }
        return result
    }

    /// `clip8`: the fixed-point sum rounded down to 0...255.
    @inline(__always)
    private static func clip8(_ value: Int32) -> UInt8 {
        if value >= Int32(1 << precisionBits) << 8 { return 255 }
        if value <= 0 { return 0 }
        return UInt8(truncatingIfNeeded: value >> Int32(precisionBits))
    }

    /// `pixels` (height x width x channels, interleaved) resized to `outputWidth` x `outputHeight`
    /// as `Image.resize((outputWidth, outputHeight), BICUBIC)`. Each pass runs only when its side
    /// changes; Pillow 13 runs the vertical pass first when the height shrinks by more than twice
    /// the width's shrink in pixels (`ImagingResampleInner`'s `horizontal_first`, read from the
    /// binary: `in_h - out_h > 0 && in_h - out_h > 2 * (in_w - out_w)`), else the horizontal one.
    static func resize(_ pixels: [UInt8], width: Int, height: Int, channels: Int,
                       outputWidth: Int, outputHeight: Int) -> [UInt8] {
        let heightShrink = height - outputHeight
        let verticalFirst = heightShrink > 0 && heightShrink > 2 * (width - outputWidth)
        if verticalFirst {
            let rows = resizeVertically(pixels, width: width, height: height, channels: channels, outputHeight: outputHeight)
            return resizeHorizontally(rows, width: width, height: outputHeight, channels: channels, outputWidth: outputWidth)
        }
        let columns = resizeHorizontally(pixels, width: width, height: height, channels: channels, outputWidth: outputWidth)
        return resizeVertically(columns, width: outputWidth, height: height, channels: channels, outputHeight: outputHeight)
    }

    /// `ImagingResampleHorizontal_8bpc` (a copy when the width does not change).
    static func resizeHorizontally(_ pixels: [UInt8], width: Int, height: Int, channels: Int, outputWidth: Int) -> [UInt8] {
        guard outputWidth != width else { return pixels }
        let columns = coefficients(inputSize: width, outputSize: outputWidth)
        var output = [UInt8](repeating: 0, count: outputWidth * height * channels)
        let half = Int32(1 << (precisionBits - 1))
        for row in 0..<height {
            let inputRow = row * width * channels
            let outputRow = row * outputWidth * channels
            for (column, coefficients) in columns.enumerated() {
                for channel in 0..<channels {
                    var sum = half
                    for (offset, weight) in coefficients.weights.enumerated() {
                        sum &+= Int32(pixels[inputRow + (coefficients.start + offset) * channels + channel]) &* weight
                    }
                    output[outputRow + column * channels + channel] = clip8(sum)
                }
            }
        }
        return output
    }

    /// `ImagingResampleVertical_8bpc` (a copy when the height does not change).
    static func resizeVertically(_ pixels: [UInt8], width: Int, height: Int, channels: Int, outputHeight: Int) -> [UInt8] {
        guard outputHeight != height else { return pixels }
        let rows = coefficients(inputSize: height, outputSize: outputHeight)
        let rowLength = width * channels
        var output = [UInt8](repeating: 0, count: outputHeight * rowLength)
        let half = Int32(1 << (precisionBits - 1))
        for (row, coefficients) in rows.enumerated() {
            for sample in 0..<rowLength {
                var sum = half
                for (offset, weight) in coefficients.weights.enumerated() {
                    sum &+= Int32(pixels[(coefficients.start + offset) * rowLength + sample]) &* weight
                }
                output[row * rowLength + sample] = clip8(sum)
            }
        }
        return output
    }
}
