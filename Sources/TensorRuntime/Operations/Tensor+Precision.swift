import CKernels

extension Tensor {
    /// The same values in `dtype`: float32 and float16 round to bfloat16 to nearest even;
    /// bfloat16 and float16 widen to float32 exactly. Converting to the tensor's own dtype
    /// returns it unchanged. (float32 -> float16 is not offered: nothing stores float16 but
    /// checkpoints.)
    public func converted(to dtype: DType) -> Tensor {
        precondition(device == .cpu, "dtype conversion on \(device)")
        if dtype == self.dtype { return self }
        if let panels = storage.panelLayout {
            let widened = Tensor(uninitializedShape: shape)
            panels.unpack(into: widened.pointer)
            return widened.converted(to: dtype)
        }
        let result = Tensor(shape: shape, storage: TensorStorage(uninitializedCount: count, dtype: dtype))
        let elements = count
        switch (self.dtype, dtype) {
        case (.float32, .bfloat16):
            let source = UncheckedSendable(UnsafePointer(pointer)), destination = UncheckedSendable(result.storage.halfPointer)
            parallelRanges(elements, minimumPerTask: 1 << 16) { range in
                sd_f32_to_bf16(source.value + range.lowerBound, destination.value + range.lowerBound, range.count)
            }
        case (.bfloat16, .float32), (.float16, .float32):
            let source = UncheckedSendable(UnsafePointer(storage.halfPointer)), destination = UncheckedSendable(result.pointer)
            let isBFloat16 = self.dtype == .bfloat16
            parallelRanges(elements, minimumPerTask: 1 << 16) { range in
                if isBFloat16 {
                    sd_bf16_to_f32(source.value + range.lowerBound, destination.value + range.lowerBound, range.count)
                } else {
                    sd_f16_to_f32(source.value + range.lowerBound, destination.value + range.lowerBound, range.count)
                }
            }
        case (.float16, .bfloat16):
            return converted(to: .float32).converted(to: .bfloat16)
        default:
            preconditionFailure("no conversion from \(self.dtype) to \(dtype)")
        }
        return result
    }

    /// A weight matrix (a linear layer's [out, in], a convolution's [out, in, kh, kw]) rounded
    /// to bfloat16 straight into the bf16 GEMM's panels: a bfloat16 tensor of the same shape
    /// whose storage is those panels (no row-major bf16 copy is made; ``converted(to:)``
    /// unpacks). float32 and float16 round to nearest even once; bfloat16 is copied.
    public func packedBFloat16WeightMatrix() -> Tensor {
        precondition(device == .cpu && rank >= 1 && count > 0, "packing \(self) as a weight matrix")
        if storage.panelLayout != nil { return self }
        // Packed afresh (not cached in the source's storage, which may outlive this call).
        let panels = PackedBFloat16Panels(packing: storage, rows: shape[0], depth: count / shape[0])
        return Tensor(shape: shape, storage: TensorStorage(panels: panels))
    }

    /// The tensor's weights packed as bf16 GEMM panels of a [rows x count / rows] matrix
    /// (computed once per storage).
    func packedBFloat16Panels(rows: Int) -> PackedBFloat16Panels {
        storage.packedBFloat16Panels(rows: rows, depth: count / max(1, rows))
    }
}
