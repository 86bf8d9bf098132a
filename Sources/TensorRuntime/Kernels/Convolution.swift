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

/// Scratch bound for im2col: columns are built for as many output rows as fit in this many
/// floats (64 MiB), so a full-resolution VAE decode of a panorama stays within memory.
public let convolutionScratchLimit = 16 * 1024 * 1024

extension Tensor {
    /// 2-D cross-correlation as PyTorch's `conv2d`: input [B, Cin, H, W], weight
    /// [Cout, Cin, kh, kw], optional bias [Cout]. 1x1 stride-1 unpadded convolutions are one GEMM
    /// per image; others build im2col columns in bounded chunks of output rows.
    public func conv2d(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Padding2D = Padding2D(0)) -> Tensor {
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

            if isPointwise {
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
