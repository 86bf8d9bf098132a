import TensorRuntime

/// diffusers' `CrossAttnDownBlock2D` / `DownBlock2D` (models/unets/unet_2d_blocks.py, diffusers
/// 0.42): `resnets`, optional `attentions` after each resnet, optional `downsamplers.0`.
struct UNetDownBlock: Sendable {
    let resnets: [ResnetBlock2D]
    let attentions: [Transformer2DModel]
    let downsampler: Downsample2D?

    /// Runs the block, appending every intermediate output to `skips`.
    func callAsFunction(_ input: Tensor, activatedTimeEmbedding: Tensor, context: Tensor, skips: inout [Tensor]) -> Tensor {
        var hidden = input
        for (index, resnet) in resnets.enumerated() {
            hidden = resnet(hidden, activatedTimeEmbedding: activatedTimeEmbedding)
            if !attentions.isEmpty { hidden = attentions[index](hidden, context: context) }
            skips.append(hidden)
        }
        if let downsampler {
            hidden = downsampler(hidden)
            skips.append(hidden)
        }
        return hidden
    }
}

/// diffusers' `CrossAttnUpBlock2D` / `UpBlock2D`: each resnet takes the hidden state concatenated
/// with the newest remaining skip; optional `attentions`; optional `upsamplers.0`.
struct UNetUpBlock: Sendable {
    let resnets: [ResnetBlock2D]
    let attentions: [Transformer2DModel]
    let upsampler: Upsample2D?

    /// Runs the block, consuming skips from the end of `skips`; `upsampleSize` is the spatial size
    /// of the next skip (so odd sizes upsample to match, as diffusers' `upsample_size`).
    func callAsFunction(_ input: Tensor, activatedTimeEmbedding: Tensor, context: Tensor, skips: inout [Tensor]) -> Tensor {
        var hidden = input
        for (index, resnet) in resnets.enumerated() {
            let skip = skips.removeLast()
            hidden = resnet(Tensor.concatenateChannels([hidden, skip]), activatedTimeEmbedding: activatedTimeEmbedding)
            if !attentions.isEmpty { hidden = attentions[index](hidden, context: context) }
        }
        if let upsampler {
            let size = skips.last.map { (height: $0.shape[2], width: $0.shape[3]) }
            hidden = upsampler(hidden, size: size)
        }
        return hidden
    }
}

/// diffusers' `UNetMidBlock2DCrossAttn`: resnet, transformer, resnet.
struct UNetMidBlock: Sendable {
    let firstResnet: ResnetBlock2D
    let attention: Transformer2DModel
    let secondResnet: ResnetBlock2D

    func callAsFunction(_ input: Tensor, activatedTimeEmbedding: Tensor, context: Tensor) -> Tensor {
        let hidden = firstResnet(input, activatedTimeEmbedding: activatedTimeEmbedding)
        return secondResnet(attention(hidden, context: context), activatedTimeEmbedding: activatedTimeEmbedding)
    }
}
