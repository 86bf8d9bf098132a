/// Rearrangements and selections, dispatched to the tensor's backend.
extension Tensor {
    /// Concatenates [B, C_i, ...] tensors along dimension 1.
    public static func concatenateChannels(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty)
        return parts[0].backend.concatenateChannels(parts)
    }

    /// [B, C, H, W] -> [B, H*W, C] (channels last), as diffusers' transformer blocks expect.
    public func channelsLast() -> Tensor { backend.channelsLast(self) }

    /// [B, H*W, C] -> [B, C, H, W], the inverse of ``channelsLast()``.
    public func channelsFirst(height: Int, width: Int) -> Tensor {
        precondition(rank == 3 && shape[1] == height * width, "channelsFirst: \(shape) vs \(height)x\(width)")
        return backend.channelsFirst(self, height: height, width: width)
    }

    /// Nearest-neighbour upsampling of [B, C, H, W] by an integer factor.
    public func upsampleNearest(factor: Int = 2) -> Tensor { backend.upsampleNearest(self, factor: factor) }

    /// Nearest-neighbour resize of [B, C, H, W] to an exact size, with PyTorch's legacy
    /// `nearest` rule: source index = min(floor(destination * (in / out)), in - 1), the scale
    /// computed in float32.
    public func resizedNearest(height: Int, width: Int) -> Tensor { backend.resizedNearest(self, height: height, width: width) }

    /// Rows of an [N, D] table gathered by `indices`, giving [indices.count, D].
    /// Indices must lie in 0..<N (callers validate user input first).
    public func gatherRows(_ indices: [Int]) -> Tensor { backend.gatherRows(self, indices) }

    /// The region of the last two dimensions, every leading index kept: [..., height, width].
    public func cropped(to region: SpatialRegion) -> Tensor {
        precondition(rank >= 2 && region.top >= 0 && region.left >= 0 && region.top + region.height <= shape[rank - 2]
                     && region.left + region.width <= shape[rank - 1], "cropped: \(region) outside \(shape)")
        return backend.cropped(self, to: region)
    }

    /// A copy with `patch` [..., region.height, region.width] added into `region` of the last two
    /// dimensions (leading dimensions equal).
    public func addingPatch(_ patch: Tensor, at region: SpatialRegion) -> Tensor {
        precondition(patch.shape == Array(shape.dropLast(2)) + [region.height, region.width], "addingPatch: \(patch.shape) into \(shape) at \(region)")
        return backend.addingPatch(self, patch, at: region)
    }

    /// `torch.roll` of each batch element b (dimension 0) by `shifts[b]` over the last two
    /// dimensions (circular; positive shifts move content down and right).
    public func rolled(shifts: [(rows: Int, columns: Int)]) -> Tensor {
        precondition(rank >= 3 && shifts.count == shape[0], "rolled: \(shifts.count) shifts for \(shape)")
        return backend.rolled(self, shifts: shifts)
    }

    /// Index `index` of `dimension`, the dimension removed.
    public func selecting(index: Int, alongDimension dimension: Int) -> Tensor {
        precondition(dimension >= 0 && dimension < rank && index >= 0 && index < shape[dimension])
        return backend.selecting(self, index: index, alongDimension: dimension)
    }

    /// The tensor broadcast to `shape` (NumPy rules), materialised.
    public func expanded(to shape: [Int]) -> Tensor {
        precondition(Tensor.broadcastShape(self.shape, shape) == shape, "expanded: \(self.shape) to \(shape)")
        return backend.expanded(self, to: shape)
    }

    /// Every `stride`-th row and column of the last two dimensions, from the first.
    public func subsampled(stride: Int) -> Tensor {
        precondition(rank >= 2 && stride > 0)
        return backend.subsampled(self, stride: stride)
    }

    /// Per batch element (dimension 0), the bounding box of the entries > 0 over the last two
    /// dimensions (all planes of the element together), or nil where none is.
    public func positiveBoundingBoxes() -> [PositiveBoundingBox?] {
        precondition(rank >= 3)
        return backend.positiveBoundingBoxes(self)
    }

    /// Patch tokens back to an image: [B, height*width, p*p*C] -> [B, C, height*p, width*p], each
    /// token holding its p x p patch row-major with channels innermost (diffusers' SD3
    /// unpatchify, `einsum("nhwpqc->nchpwq")`).
    public func unpatchified(height: Int, width: Int, patchSize: Int) -> Tensor {
        precondition(rank == 3 && patchSize > 0 && shape[1] == height * width && shape[2] % (patchSize * patchSize) == 0,
                     "unpatchified: \(shape) as \(height)x\(width) tokens of \(patchSize)x\(patchSize) patches")
        return backend.unpatchified(self, height: height, width: width, patchSize: patchSize)
    }
}
