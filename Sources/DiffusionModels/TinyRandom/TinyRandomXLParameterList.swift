/// The parameters of the tiny-random-xl networks (``TinyRandomXLModel``), by checkpoint key.
extension TinyRandomParameterList {
    /// diffusers' `Transformer2DModel` with linear projections (`use_linear_projection`, as
    /// SDXL) and `depth` `BasicTransformerBlock`s.
    mutating func linearTransformer(_ path: String, channels: Int, context: Int, depth: Int) {
        normalization(path + ".norm", channels: channels)
        linear(path + ".proj_in", input: channels, output: channels)
        for index in 0..<depth {
            transformerBlock("\(path).transformer_blocks.\(index)", channels: channels, context: context)
        }
        linear(path + ".proj_out", input: channels, output: channels)
    }

    /// The SDXL-shaped UNet of tiny-random-xl: blocks (32, 64), one layer per block, a plain down
    /// block first and a cross-attention one (2 transformer layers) second, as SDXL orders them;
    /// cross-attention width 64 (the two text encoders' 32 + 32); `text_time` inputs with
    /// 8-wide time-id embeddings and a pooled embedding of 32 (80 = 6 x 8 + 32).
    static func unetXL() -> TinyRandomParameterList {
        var list = TinyRandomParameterList()
        let time = 128, context = 64, latent = 4
        list.convolution("conv_in", input: latent, output: 32, kernel: 3)
        list.linear("time_embedding.linear_1", input: 32, output: time)
        list.linear("time_embedding.linear_2", input: time, output: time)
        list.linear("add_embedding.linear_1", input: 6 * 8 + 32, output: time)
        list.linear("add_embedding.linear_2", input: time, output: time)
        // down_blocks.0: DownBlock2D 32 -> 32 with a downsampler; down_blocks.1: CrossAttnDownBlock2D 32 -> 64.
        list.resnet("down_blocks.0.resnets.0", input: 32, output: 32, timeEmbedding: time)
        list.convolution("down_blocks.0.downsamplers.0.conv", input: 32, output: 32, kernel: 3)
        list.resnet("down_blocks.1.resnets.0", input: 32, output: 64, timeEmbedding: time)
        list.linearTransformer("down_blocks.1.attentions.0", channels: 64, context: context, depth: 2)
        list.resnet("mid_block.resnets.0", input: 64, output: 64, timeEmbedding: time)
        list.linearTransformer("mid_block.attentions.0", channels: 64, context: context, depth: 2)
        list.resnet("mid_block.resnets.1", input: 64, output: 64, timeEmbedding: time)
        // up_blocks.0: CrossAttnUpBlock2D to 64 (skips 64, 32) with an upsampler; up_blocks.1: UpBlock2D to 32 (skips 32, 32).
        list.resnet("up_blocks.0.resnets.0", input: 64 + 64, output: 64, timeEmbedding: time)
        list.linearTransformer("up_blocks.0.attentions.0", channels: 64, context: context, depth: 2)
        list.resnet("up_blocks.0.resnets.1", input: 64 + 32, output: 64, timeEmbedding: time)
        list.linearTransformer("up_blocks.0.attentions.1", channels: 64, context: context, depth: 2)
        list.convolution("up_blocks.0.upsamplers.0.conv", input: 64, output: 64, kernel: 3)
        list.resnet("up_blocks.1.resnets.0", input: 64 + 32, output: 32, timeEmbedding: time)
        list.resnet("up_blocks.1.resnets.1", input: 32 + 32, output: 32, timeEmbedding: time)
        list.normalization("conv_norm_out", channels: 32)
        list.convolution("conv_out", input: 32, output: latent, kernel: 3)
        return list
    }

    /// The second text encoder of tiny-random-xl: the tiny CLIP text encoder plus a
    /// `text_projection` (transformers' `CLIPTextModelWithProjection`).
    static func textEncoderWithProjection() -> TinyRandomParameterList {
        var list = textEncoder()
        list.linear("text_projection", input: 32, output: 32, bias: false)
        return list
    }
}
