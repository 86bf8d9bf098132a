extension Tensor {
    /// Patch tokens back to an image: [B, h*w, p*p*C] (per token the p x p patch, row-major,
    /// channels innermost) -> [B, C, h*p, w*p]. diffusers' SD3 unpatchify:
    /// `reshape(B, h, w, p, p, C)`, `einsum("nhwpqc->nchpwq")`, `reshape(B, C, h*p, w*p)`.
    func cpuUnpatchified(height: Int, width: Int, patchSize: Int) -> Tensor {
        OperationProfiler.measure("transpose") {
            let batch = shape[0], tokenWidth = shape[2]
            let channels = tokenWidth / (patchSize * patchSize)
            let outHeight = height * patchSize, outWidth = width * patchSize
            let result = Tensor(uninitializedShape: [batch, channels, outHeight, outWidth])
            let source = UncheckedSendable(pointer), destination = UncheckedSendable(result.pointer)
            parallelFor(batch * height, minimumPerTask: 4) { index in
                let sample = index / height, row = index % height
                let output = destination.value + sample * channels * outHeight * outWidth
                for column in 0..<width {
                    let token = source.value + ((sample * height + row) * width + column) * tokenWidth
                    for patchRow in 0..<patchSize {
                        for patchColumn in 0..<patchSize {
                            let patch = token + (patchRow * patchSize + patchColumn) * channels
                            let y = row * patchSize + patchRow, x = column * patchSize + patchColumn
                            for channel in 0..<channels {
                                output[(channel * outHeight + y) * outWidth + x] = patch[channel]
                            }
                        }
                    }
                }
            }
            return result
        }
    }
}
