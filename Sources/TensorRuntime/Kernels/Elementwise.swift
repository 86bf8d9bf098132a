extension Tensor {
    /// Every element times `scalar`.
    func cpuScaled(by scalar: Float) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        Self.mapVectors(count: count, from: pointer, to: result.pointer) { $0 * scalar }
        return result
    }

    /// `self * scale + shift`, elementwise.
    func cpuAffine(scale: Float, shift: Float) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        Self.mapVectors(count: count, from: pointer, to: result.pointer) { $0 * scale + shift }
        return result
    }

    /// Adds `other` (same shape) into this tensor's storage. Only for tensors the caller created.
    func cpuAddInPlace(_ other: Tensor) {
        OperationProfiler.measure("add") {
            precondition(shape == other.shape, "addInPlace: \(shape) vs \(other.shape)")
            let destination = UncheckedSendable(pointer), source = UncheckedSendable(other.pointer)
            let total = count
            parallelRanges(total, minimumPerTask: 16384) { range in
                for index in range { destination.value[index] += source.value[index] }
            }
        }
    }

    func combined(with other: Tensor, _ operation: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let left = UncheckedSendable(pointer), right = UncheckedSendable(other.pointer)
        let destination = UncheckedSendable(result.pointer)
        let total = count
        parallelRanges((total + 15) / 16, minimumPerTask: 1024) { range in
            for vectorIndex in range {
                let index = vectorIndex * 16
                if index + 16 <= total {
                    let value = operation(
                        UnsafeRawPointer(left.value + index).loadUnaligned(as: SIMD16<Float>.self),
                        UnsafeRawPointer(right.value + index).loadUnaligned(as: SIMD16<Float>.self))
                    UnsafeMutableRawPointer(destination.value + index).storeBytes(of: value, as: SIMD16<Float>.self)
                } else {
                    for offset in index..<total {
                        let value = operation(SIMD16(repeating: left.value[offset]), SIMD16(repeating: right.value[offset]))
                        destination.value[offset] = value[0]
                    }
                }
            }
        }
        return result
    }

    /// Adds a per-sample, per-channel value: self [B, C, H, W] + values [B, C].
    func cpuAddingPerChannel(_ values: Tensor) -> Tensor {
        let batch = shape[0], channels = shape[1]
        precondition(values.shape == [batch, channels], "addingPerChannel: \(shape) vs \(values.shape)")
        let plane = count / (batch * channels)
        let result = Tensor(uninitializedShape: shape)
        let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
        let addend = UncheckedSendable(values.pointer)
        parallelFor(batch * channels, minimumPerTask: 8) { index in
            let value = addend.value[index]
            let input = source.value + index * plane, output = destination.value + index * plane
            for offset in 0..<plane { output[offset] = input[offset] + value }
        }
        return result
    }

    /// Concatenates [B, C_i, ...] tensors along dimension 1.
    static func cpuConcatenateChannels(_ parts: [Tensor]) -> Tensor {
        OperationProfiler.measure("concat") {
            let batch = parts[0].shape[0]
            let spatial = Array(parts[0].shape.dropFirst(2))
            precondition(parts.allSatisfy { $0.shape[0] == batch && Array($0.shape.dropFirst(2)) == spatial },
                         "concatenateChannels: \(parts.map(\.shape))")
            let plane = spatial.reduce(1, *)
            let totalChannels = parts.reduce(0) { $0 + $1.shape[1] }
            let result = Tensor(uninitializedShape: [batch, totalChannels] + spatial)
            for image in 0..<batch {
                var destination = result.pointer + image * totalChannels * plane
                for part in parts {
                    let length = part.shape[1] * plane
                    destination.update(from: part.pointer + image * length, count: length)
                    destination += length
                }
            }
            return result
        }
    }

    /// Nearest-neighbour upsampling of [B, C, H, W] by an integer factor.
    func cpuUpsampleNearest(factor: Int = 2) -> Tensor {
        let batch = shape[0], channels = shape[1], height = shape[2], width = shape[3]
        let outWidth = width * factor
        let result = Tensor(uninitializedShape: [batch, channels, height * factor, outWidth])
        let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
        parallelFor(batch * channels, minimumPerTask: 4) { plane in
            let input = source.value + plane * height * width
            let output = destination.value + plane * height * width * factor * factor
            for y in 0..<height {
                let firstRow = output + y * factor * outWidth
                for x in 0..<width {
                    let value = input[y * width + x]
                    for repeatIndex in 0..<factor { firstRow[x * factor + repeatIndex] = value }
                }
                for repeatIndex in 1..<max(factor, 1) {
                    (firstRow + repeatIndex * outWidth).update(from: firstRow, count: outWidth)
                }
            }
        }
        return result
    }

    /// [B, C, H, W] -> [B, H*W, C] (channels last), as diffusers' transformer blocks expect.
    func cpuChannelsLast() -> Tensor {
        OperationProfiler.measure("transpose") {
            let batch = shape[0], channels = shape[1]
            let plane = count / (batch * channels)
            let result = Tensor(uninitializedShape: [batch, plane, channels])
            Self.transposeBatched(source: pointer, destination: result.pointer, batch: batch, rows: channels, columns: plane)
            return result
        }
    }

    /// [B, H*W, C] -> [B, C, H, W], the inverse of ``channelsLast()``.
    func cpuChannelsFirst(height: Int, width: Int) -> Tensor {
        OperationProfiler.measure("transpose") {
            let batch = shape[0], plane = shape[1], channels = shape[2]
            precondition(plane == height * width)
            let result = Tensor(uninitializedShape: [batch, channels, height, width])
            Self.transposeBatched(source: pointer, destination: result.pointer, batch: batch, rows: plane, columns: channels)
            return result
        }
    }

    /// Transposes `batch` row-major [rows, columns] matrices, in cache-friendly 32x32 tiles.
    static func transposeBatched(source: UnsafeMutablePointer<Float>, destination: UnsafeMutablePointer<Float>,
                                 batch: Int, rows: Int, columns: Int) {
        let tile = 32
        let rowTiles = (rows + tile - 1) / tile
        let sourceBox = UncheckedSendable(source), destinationBox = UncheckedSendable(destination)
        parallelFor(batch * rowTiles) { index in
            let image = index / rowTiles
            let rowStart = (index % rowTiles) * tile
            let input = sourceBox.value + image * rows * columns
            let output = destinationBox.value + image * rows * columns
            let rowEnd = min(rows, rowStart + tile)
            var columnStart = 0
            while columnStart < columns {
                let columnEnd = min(columns, columnStart + tile)
                for row in rowStart..<rowEnd {
                    for column in columnStart..<columnEnd {
                        output[column * rows + row] = input[row * columns + column]
                    }
                }
                columnStart = columnEnd
            }
        }
    }
}

extension Tensor {
    /// Nearest-neighbour resize of [B, C, H, W] to an exact size, with PyTorch's legacy
    /// `nearest` rule: source index = min(floor(destination * (in / out)), in - 1), the scale
    /// computed in float32.
    func cpuResizedNearest(height outHeight: Int, width outWidth: Int) -> Tensor {
        let batch = shape[0], channels = shape[1], height = shape[2], width = shape[3]
        let scaleY = Float(height) / Float(outHeight), scaleX = Float(width) / Float(outWidth)
        let rowSources = (0..<outHeight).map { Swift.min(Int((Float($0) * scaleY).rounded(.down)), height - 1) }
        let columnSources = (0..<outWidth).map { Swift.min(Int((Float($0) * scaleX).rounded(.down)), width - 1) }
        let result = Tensor(uninitializedShape: [batch, channels, outHeight, outWidth])
        let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
        parallelFor(batch * channels, minimumPerTask: 4) { plane in
            let input = source.value + plane * height * width
            let output = destination.value + plane * outHeight * outWidth
            for y in 0..<outHeight {
                let row = input + rowSources[y] * width
                for x in 0..<outWidth { output[y * outWidth + x] = row[columnSources[x]] }
            }
        }
        return result
    }
}
