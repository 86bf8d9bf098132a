import Foundation
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
    /// Winograd F(4x4,3x3); only valid for 3x3 stride-1 kernels.
    case winograd4x4
}

/// Below this many output pixels per image the weight transform (16/9 of the weights written
/// per call) costs more than Winograd saves: at 16x16 with 1280 channels it was a net loss.
public let winogradMinimumOutputPixels = 1024

/// The Winograd output tile `.automatic` uses: 2 (F(2x2,3x3)) unless `SEMANTIC_DRAW_WINOGRAD`
/// says 4 or 0 (never); a benchmarking aid, read once.
public let automaticWinogradTile: Int = {
    switch ProcessInfo.processInfo.environment["SEMANTIC_DRAW_WINOGRAD"] {
    case "4": return 4
    case "0": return 0
    default: return 2
    }
}()

/// Winograd's GEMMs have K = input channels; below this the thin GEMMs and memory-bound
/// transforms lose to im2col (measured on TAESD's 64-channel convolutions).
public let winogradMinimumInputChannels: Int = Int(ProcessInfo.processInfo.environment["SEMANTIC_DRAW_WINOGRAD_MIN_CHANNELS"] ?? "") ?? 32

/// From this many output pixels per image on, F(4x4,3x3) beats F(2x2,3x3).
public let winograd4x4MinimumOutputPixels: Int = Int(ProcessInfo.processInfo.environment["SEMANTIC_DRAW_WINOGRAD4_MIN_PIXELS"] ?? "") ?? 16384

/// Scratch bound for im2col: columns are built for as many output rows as fit in this many
/// floats (64 MiB), so a full-resolution VAE decode of a panorama stays within memory.
public let convolutionScratchLimit = 16 * 1024 * 1024

extension Tensor {
    /// 2-D cross-correlation as PyTorch's `conv2d`: input [B, Cin, H, W], weight
    /// [Cout, Cin, kh, kw], optional bias [Cout]. 1x1 stride-1 unpadded convolutions are one GEMM
    /// per image; others build im2col columns in bounded chunks of output rows. A half-precision
    /// weight runs the same algorithms, 1x1 and im2col with the bf16 GEMM (as C^T = A^T W^T
    /// through strides), Winograd with its float32 transform of the bf16 weights.
    func cpuConv2d(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Padding2D = Padding2D(0),
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
            var winogradTile = 0
            switch algorithm {
            case .winograd: winogradTile = 2
            case .winograd4x4: winogradTile = 4
            case .automatic:
                if !winogradApplies || outPlane < winogradMinimumOutputPixels || inChannels < winogradMinimumInputChannels {
                    winogradTile = 0
                } else if automaticWinogradTile == 2 && outPlane >= winograd4x4MinimumOutputPixels {
                    winogradTile = 4
                } else {
                    winogradTile = automaticWinogradTile
                }
            case .im2col: winogradTile = 0
            }
            precondition(winogradTile == 0 || winogradApplies, "conv2d: Winograd needs a 3x3 stride-1 kernel, not \(weight.shape) stride \(stride)")

            if winogradTile > 0 {
                Self.winogradConvolution(input: self, weight: weight, bias: bias, padding: padding, output: result, outputTile: winogradTile)
                return result
            } else if isPointwise {
                for image in 0..<batch {
                    if weight.dtype != .float32 {
                        // C^T [pixels x Cout] = input^T [pixels x Cin] W^T, stored through strides.
                        BFloat16GEMM.multiply(
                            m: outPlane, weights: weight.packedBFloat16Panels(rows: outChannels),
                            a: pointer + image * inChannels * height * width, aRowStride: 1, aColumnStride: outPlane,
                            c: result.pointer + image * outChannels * outPlane, cRowStride: 1, cColumnStride: outPlane,
                            accumulate: false)
                        continue
                    }
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
                        let target = result.pointer + image * outChannels * outPlane + firstRow * outWidth
                        if weight.dtype != .float32 {
                            BFloat16GEMM.multiply(
                                m: chunkWidth, weights: weight.packedBFloat16Panels(rows: outChannels),
                                a: columns.pointer, aRowStride: 1, aColumnStride: chunkWidth,
                                c: target, cRowStride: 1, cColumnStride: outPlane, accumulate: false)
                        } else {
                            BLAS.sgemm(m: outChannels, n: chunkWidth, k: reduction,
                                       a: weight.pointer, lda: reduction,
                                       b: columns.pointer, ldb: chunkWidth,
                                       c: target, ldc: outPlane)
                        }
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

    /// Winograd F(m x m, 3x3) with output tile m = 2 or 4: per image and chunk of tile rows,
    /// transform the input (in parallel over channels), run one GEMM per tile position
    /// ((m+2)^2 of them), transform back (+ bias). Weights are transformed per call.
    static func winogradConvolution(input: Tensor, weight: Tensor, bias: Tensor?, padding: Padding2D, output: Tensor,
                                    outputTile: Int) {
        let batch = input.shape[0], inChannels = input.shape[1], height = input.shape[2], width = input.shape[3]
        let outChannels = weight.shape[0], outHeight = output.shape[2], outWidth = output.shape[3]
        let positions = (outputTile + 2) * (outputTile + 2)
        let tilesX = (outWidth + outputTile - 1) / outputTile, tilesY = (outHeight + outputTile - 1) / outputTile
        let transformedWeights = TensorStorage(uninitializedCount: positions * outChannels * inChannels)
        // Half-precision weights are widened and transformed in float32, and the position GEMMs
        // stay float32: rounding the transformed weights to bf16 as well cost 3.7% of the largest
        // output with F(4x4) (its transforms reach 8 and 1/24), against 2^-8 per weight here.
        let floatWeight = weight.dtype != .float32 ? weight.converted(to: .float32) : weight
        let weightBox = UncheckedSendable(floatWeight.pointer), transformedBox = UncheckedSendable(transformedWeights.pointer)
        OperationProfiler.measure("conv2d winograd weights") {
            parallelRanges(outChannels, minimumPerTask: 16) { rows in
                if outputTile == 4 {
                    sd_winograd4_weights(weightBox.value, transformedBox.value, outChannels, inChannels, rows.lowerBound, rows.upperBound)
                } else {
                    sd_winograd_weights(weightBox.value, transformedBox.value, outChannels, inChannels, rows.lowerBound, rows.upperBound)
                }
            }
        }
        // Work units: whole images side by side in one GEMM (N = images x tiles) when an image
        // fits the scratch bound, else chunks of tile rows of one image.
        let tilesPerImage = tilesY * tilesX
        let maximumTiles = max(tilesX, convolutionScratchLimit / max(1, positions * (inChannels + outChannels)))
        var groups: [[(image: Int, firstRow: Int, endRow: Int)]] = []
        if tilesPerImage <= maximumTiles {
            let imagesPerGroup = max(1, maximumTiles / tilesPerImage)
            for first in stride(from: 0, to: batch, by: imagesPerGroup) {
                groups.append((first..<min(batch, first + imagesPerGroup)).map { (image: $0, firstRow: 0, endRow: tilesY) })
            }
        } else {
            let rowsPerChunk = max(1, maximumTiles / tilesX)
            for image in 0..<batch {
                for firstRow in stride(from: 0, to: tilesY, by: rowsPerChunk) {
                    groups.append([(image: image, firstRow: firstRow, endRow: min(tilesY, firstRow + rowsPerChunk))])
                }
            }
        }
        let largestGroup = groups.map { $0.reduce(0) { $0 + ($1.endRow - $1.firstRow) * tilesX } }.max() ?? 0
        let transformedInput = TensorStorage(uninitializedCount: positions * inChannels * largestGroup)
        let products = TensorStorage(uninitializedCount: positions * outChannels * largestGroup)
        let inputBox = UncheckedSendable(transformedInput.pointer), productBox = UncheckedSendable(products.pointer)
        let biasBox = UncheckedSendable(bias?.pointer), sourceBox = UncheckedSendable(input.pointer)
        let destinationBox = UncheckedSendable(output.pointer)
        for group in groups {
            // Each unit with the GEMM column its tiles start at; `leading` columns in all.
            var columns = 0
            let placed = group.map { unit in
                defer { columns += (unit.endRow - unit.firstRow) * tilesX }
                return (unit: unit, column: columns)
            }
            let leading = columns
            OperationProfiler.measure("conv2d winograd input") {
                parallelRanges(inChannels, minimumPerTask: 8) { channels in
                    for (unit, column) in placed {
                        let source = sourceBox.value + unit.image * inChannels * height * width
                        let destination = inputBox.value + column
                        if outputTile == 4 {
                            sd_winograd4_input(source, destination, inChannels, height, width, padding.top, padding.left, tilesX,
                                               unit.firstRow, unit.endRow, leading, channels.lowerBound, channels.upperBound)
                        } else {
                            sd_winograd_input(source, destination, inChannels, height, width, padding.top, padding.left, tilesX,
                                              unit.firstRow, unit.endRow, leading, channels.lowerBound, channels.upperBound)
                        }
                    }
                }
            }
            OperationProfiler.measure("conv2d winograd products") {
                for position in 0..<positions {
                    BLAS.sgemm(m: outChannels, n: leading, k: inChannels,
                               a: transformedWeights.pointer + position * outChannels * inChannels, lda: inChannels,
                               b: inputBox.value + position * inChannels * leading, ldb: leading,
                               c: productBox.value + position * outChannels * leading, ldc: leading)
                }
            }
            OperationProfiler.measure("conv2d winograd output") {
                parallelRanges(outChannels, minimumPerTask: 8) { channels in
                    for (unit, column) in placed {
                        let destination = destinationBox.value + unit.image * outChannels * outHeight * outWidth
                        let source = productBox.value + column
                        if outputTile == 4 {
                            sd_winograd4_output(source, destination, biasBox.value, outChannels, outHeight, outWidth, tilesX,
                                                unit.firstRow, unit.endRow, leading, channels.lowerBound, channels.upperBound)
                        } else {
                            sd_winograd_output(source, destination, biasBox.value, outChannels, outHeight, outWidth, tilesX,
                                               unit.firstRow, unit.endRow, leading, channels.lowerBound, channels.upperBound)
                        }
                    }
                }
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
    func cpuAddChannelBiasInPlace(_ bias: Tensor) {
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
