import CKernels

/// Padding of a 2-D convolution, which may be asymmetric (diffusers' VAE downsampler pads only
/// the bottom and right).
public struct Padding2D: Sendable, Equatable {
    public var top: Int, bottom: Int, left: Int, right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }

    /// The same padding on every side.
    public init(_ all: Int) { self.init(top: all, bottom: all, left: all, right: all) }
}

/// How a convolution is computed.
public enum ConvolutionAlgorithm: Sendable {
    /// Winograd F(2x2,3x3) for 3x3 stride-1 convolutions with at least
    /// ``winogradMinimumOutputPixels`` output pixels per image, im2col + GEMM otherwise.
    case automatic
    /// im2col + GEMM (1x1 stride-1: one GEMM).
    case im2col
    /// Winograd F(2x2,3x3); only valid for 3x3 stride-1 kernels.
    case winograd
}

/// Below this many output pixels per image the weight transform (16/9 of the weights written
/// per call) costs more than Winograd saves: at 16x16 with 1280 channels it was a net loss.
public let winogradMinimumOutputPixels = 1024

/// Scratch bound for im2col: columns are built for as many output rows as fit in this many
/// floats (64 MiB), so a full-resolution VAE decode of a panorama stays within memory.
public let convolutionScratchLimit = 16 * 1024 * 1024

extension Tensor {
    /// 2-D cross-correlation as PyTorch's `conv2d`: input [B, Cin, H, W], weight
    /// [Cout, Cin, kh, kw], optional bias [Cout]. 1x1 stride-1 unpadded convolutions are one GEMM
    /// per image; others build im2col columns in bounded chunks of output rows.
    public func conv2d(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Padding2D = Padding2D(0),
                       algorithm: ConvolutionAlgorithm = .automatic) -> Tensor {
        OperationProfiler.measure("conv2d") {
            precondition(rank == 4 && weight.rank == 4 && weight.shape[1] == shape[1],
                         "conv2d: input \(shape) vs weight \(weight.shape)")
            let batch = shape[0], inChannels = shape[1], height = shape[2], width = shape[3]
            let outChannels = weight.shape[0], kernelHeight = weight.shape[2], kernelWidth = weight.shape[3]
            let outHeight = (height + padding.top + padding.bottom - kernelHeight) / stride + 1
            let outWidth = (width + padding.left + padding.right - kernelWidth) / stride + 1
            precondition(outHeight > 0 && outWidth > 0, "conv2d: input \(shape) too small for kernel \(weight.shape)")
            let result = Tensor(uninitializedShape: [batch, outChannels, outHeight, outWidth])
            let outPlane = outHeight * outWidth
            let reduction = inChannels * kernelHeight * kernelWidth
            let isPointwise = kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == Padding2D(0)
            let winogradApplies = kernelHeight == 3 && kernelWidth == 3 && stride == 1
            let useWinograd = algorithm == .winograd
                || (algorithm == .automatic && winogradApplies && outPlane >= winogradMinimumOutputPixels)
            precondition(!useWinograd || winogradApplies, "conv2d: Winograd needs a 3x3 stride-1 kernel, not \(weight.shape) stride \(stride)")

            if useWinograd {
                Self.winogradConvolution(input: self, weight: weight, bias: bias, padding: padding, output: result)
                return result
            } else if isPointwise {
                for image in 0..<batch {
                    BLAS.sgemm(m: outChannels, n: outPlane, k: inChannels,
                               a: weight.pointer, lda: inChannels,
                               b: pointer + image * inChannels * height * width, ldb: outPlane,
                               c: result.pointer + image * outChannels * outPlane, ldc: outPlane)
                }
            } else {
                let rowsPerChunk = max(1, min(outHeight, convolutionScratchLimit / max(1, reduction * outWidth)))
                let columns = TensorStorage(uninitializedCount: reduction * rowsPerChunk * outWidth)
                for image in 0..<batch {
                    let source = pointer + image * inChannels * height * width
                    var firstRow = 0
                    while firstRow < outHeight {
                        let rows = min(rowsPerChunk, outHeight - firstRow)
                        let chunkWidth = rows * outWidth
                        Self.im2col(
                            source: source, channels: inChannels, height: height, width: width,
                            kernelHeight: kernelHeight, kernelWidth: kernelWidth, stride: stride, padding: padding,
                            outWidth: outWidth, firstRow: firstRow, rows: rows, columns: columns.pointer)
                        BLAS.sgemm(m: outChannels, n: chunkWidth, k: reduction,
                                   a: weight.pointer, lda: reduction,
                                   b: columns.pointer, ldb: chunkWidth,
                                   c: result.pointer + image * outChannels * outPlane + firstRow * outWidth, ldc: outPlane)
                        firstRow += rows
                    }
                }
            }
            if let bias {
                precondition(bias.count == outChannels)
                result.addChannelBiasInPlace(bias)
            }
            return result
        }
    }

    /// Winograd F(2x2,3x3): per image and chunk of tile rows, transform the input (in parallel
    /// over channels), run the 16 position GEMMs through BLAS, transform back (+ bias).
    static func winogradConvolution(input: Tensor, weight: Tensor, bias: Tensor?, padding: Padding2D, output: Tensor) {
        let batch = input.shape[0], inChannels = input.shape[1], height = input.shape[2], width = input.shape[3]
        let outChannels = weight.shape[0], outHeight = output.shape[2], outWidth = output.shape[3]
        let tilesX = (outWidth + 1) / 2, tilesY = (outHeight + 1) / 2
        let transformedWeights = TensorStorage(uninitializedCount: 16 * outChannels * inChannels)
        let weightBox = UncheckedSendable(weight.pointer), transformedBox = UncheckedSendable(transformedWeights.pointer)
        parallelRanges(outChannels, minimumPerTask: 16) { rows in
            sd_winograd_weights(weightBox.value, transformedBox.value, outChannels, inChannels, rows.lowerBound, rows.upperBound)
        }
        let tileRowsPerChunk = max(1, min(tilesY, convolutionScratchLimit / max(1, 16 * (inChannels + outChannels) * tilesX)))
        let chunkTiles = tileRowsPerChunk * tilesX
        let transformedInput = TensorStorage(uninitializedCount: 16 * inChannels * chunkTiles)
        let products = TensorStorage(uninitializedCount: 16 * outChannels * chunkTiles)
        let inputBox = UncheckedSendable(transformedInput.pointer), productBox = UncheckedSendable(products.pointer)
        let biasBox = UncheckedSendable(bias?.pointer)
        for image in 0..<batch {
            let source = UncheckedSendable(input.pointer + image * inChannels * height * width)
            let destination = UncheckedSendable(output.pointer + image * outChannels * outHeight * outWidth)
            var firstTileRow = 0
            while firstTileRow < tilesY {
                let lastTileRow = min(tilesY, firstTileRow + tileRowsPerChunk)
                let tiles = (lastTileRow - firstTileRow) * tilesX
                let begin = firstTileRow
                parallelRanges(inChannels, minimumPerTask: 8) { channels in
                    sd_winograd_input(source.value, inputBox.value, inChannels, height, width, padding.top, padding.left,
                                      tilesX, begin, lastTileRow, channels.lowerBound, channels.upperBound)
                }
                for position in 0..<16 {
                    BLAS.sgemm(m: outChannels, n: tiles, k: inChannels,
                               a: transformedWeights.pointer + position * outChannels * inChannels, lda: inChannels,
                               b: inputBox.value + position * inChannels * tiles, ldb: tiles,
                               c: productBox.value + position * outChannels * tiles, ldc: tiles)
                }
                parallelRanges(outChannels, minimumPerTask: 8) { channels in
                    sd_winograd_output(productBox.value, destination.value, biasBox.value, outChannels, outHeight, outWidth,
                                       tilesX, begin, lastTileRow, channels.lowerBound, channels.upperBound)
                }
                firstTileRow = lastTileRow
            }
        }
    }

    /// Fills columns[(c, ky, kx), (row, x)] for output rows firstRow ..< firstRow + rows.
    @usableFromInline
    static func im2col(
        source: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int,
        kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Padding2D,
        outWidth: Int, firstRow: Int, rows: Int, columns: UnsafeMutablePointer<Float>
    ) {
        let chunkWidth = rows * outWidth
        let taps = kernelHeight * kernelWidth
        let sourceBox = UncheckedSendable(source), columnsBox = UncheckedSendable(columns)
        parallelFor(channels * taps, minimumPerTask: 4) { tapRow in
            let channel = tapRow / taps
            let ky = (tapRow % taps) / kernelWidth
            let kx = tapRow % kernelWidth
            let plane = sourceBox.value + channel * height * width
            let destination = columnsBox.value + tapRow * chunkWidth
            for localRow in 0..<rows {
                let y = (firstRow + localRow) * stride - padding.top + ky
                let rowDestination = destination + localRow * outWidth
                if y < 0 || y >= height {
                    rowDestination.initialize(repeating: 0, count: outWidth)
                    continue
                }
                let sourceRow = plane + y * width
                if stride == 1 {
                    // x = outX - left + kx: copy the valid span, zero the rest.
                    let offset = kx - padding.left
                    let validStart = max(0, -offset)
                    let validEnd = min(outWidth, width - offset)
                    if validStart > 0 { rowDestination.initialize(repeating: 0, count: min(validStart, outWidth)) }
                    if validEnd > validStart {
                        (rowDestination + validStart).update(from: sourceRow + validStart + offset, count: validEnd - validStart)
                    }
                    if validEnd < outWidth {
                        let zeroStart = max(validEnd, validStart)
                        (rowDestination + zeroStart).initialize(repeating: 0, count: outWidth - zeroStart)
                    }
                } else {
                    for outX in 0..<outWidth {
                        let x = outX * stride - padding.left + kx
                        rowDestination[outX] = (x >= 0 && x < width) ? sourceRow[x] : 0
                    }
                }
            }
        }
    }

    /// Adds bias[c] to every element of channel c of an [B, C, ...] tensor.
    public func addChannelBiasInPlace(_ bias: Tensor) {
        let channels = shape[1]
        let plane = count / (shape[0] * channels)
        let base = UncheckedSendable(pointer)
        let biasBox = UncheckedSendable(bias.pointer)
        parallelFor(shape[0] * channels, minimumPerTask: 8) { index in
            let value = biasBox.value[index % channels]
            let row = base.value + index * plane
            for offset in 0..<plane { row[offset] += value }
        }
    }
}
