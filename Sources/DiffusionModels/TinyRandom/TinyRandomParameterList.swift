/// Every parameter of the tiny-random networks, by checkpoint key, with its shape: the keys
/// diffusers 0.42 (`UNet2DConditionModel`, `AutoencoderKL`, `AutoencoderTiny`) and transformers
/// 5.24 (`CLIPTextModel`, saved without the `text_model.` prefix) write for these configs.
///
/// The list is what the weight stream is drawn for (in sorted key order, see
/// ``TinyRandomWeights``) and what the export writes; the strict loaders check it against the
/// networks (missing, unused and mis-shaped keys are errors), and `Tools/check_tiny_random.py`
/// checks it against diffusers and transformers.
struct TinyRandomParameterList {
    private(set) var shapes: [String: [Int]] = [:]

    mutating func add(_ key: String, _ shape: [Int]) {
        precondition(shapes[key] == nil, "duplicate tiny-random parameter \(key)")
        shapes[key] = shape
    }

    mutating func linear(_ path: String, input: Int, output: Int, bias: Bool = true) {
        add(path + ".weight", [output, input])
        if bias { add(path + ".bias", [output]) }
    }

    mutating func convolution(_ path: String, input: Int, output: Int, kernel: Int, bias: Bool = true) {
        add(path + ".weight", [output, input, kernel, kernel])
        if bias { add(path + ".bias", [output]) }
    }

    mutating func normalization(_ path: String, channels: Int) {
        add(path + ".weight", [channels])
        add(path + ".bias", [channels])
    }

    /// diffusers' `ResnetBlock2D`.
    mutating func resnet(_ path: String, input: Int, output: Int, timeEmbedding: Int?) {
        normalization(path + ".norm1", channels: input)
        convolution(path + ".conv1", input: input, output: output, kernel: 3)
        if let timeEmbedding { linear(path + ".time_emb_proj", input: timeEmbedding, output: output) }
        normalization(path + ".norm2", channels: output)
        convolution(path + ".conv2", input: output, output: output, kernel: 3)
        if input != output { convolution(path + ".conv_shortcut", input: input, output: output, kernel: 1) }
    }

    /// diffusers' `Transformer2DModel` with one `BasicTransformerBlock` (conv projections, GEGLU).
    mutating func transformer(_ path: String, channels: Int, context: Int) {
        normalization(path + ".norm", channels: channels)
        convolution(path + ".proj_in", input: channels, output: channels, kernel: 1)
        transformerBlock(path + ".transformer_blocks.0", channels: channels, context: context)
        convolution(path + ".proj_out", input: channels, output: channels, kernel: 1)
    }

    /// diffusers' `BasicTransformerBlock`: three norms, self- and cross-attention, GEGLU feed-forward.
    mutating func transformerBlock(_ block: String, channels: Int, context: Int) {
        normalization(block + ".norm1", channels: channels)
        normalization(block + ".norm2", channels: channels)
        normalization(block + ".norm3", channels: channels)
        for (attention, source) in [("attn1", channels), ("attn2", context)] {
            linear("\(block).\(attention).to_q", input: channels, output: channels, bias: false)
            linear("\(block).\(attention).to_k", input: source, output: channels, bias: false)
            linear("\(block).\(attention).to_v", input: source, output: channels, bias: false)
            linear("\(block).\(attention).to_out.0", input: channels, output: channels)
        }
        linear(block + ".ff.net.0.proj", input: channels, output: channels * 8)
        linear(block + ".ff.net.2", input: channels * 4, output: channels)
    }

    /// The UNet of ``TinyRandomModel/unetConfigurationJSON``: blocks (32, 64), one layer per
    /// block, cross-attention down block first and cross-attention up block last.
    static func unet() -> TinyRandomParameterList {
        var list = TinyRandomParameterList()
        let channels = [32, 64], time = 128, context = 32, latent = 4
        list.convolution("conv_in", input: latent, output: channels[0], kernel: 3)
        list.linear("time_embedding.linear_1", input: channels[0], output: time)
        list.linear("time_embedding.linear_2", input: time, output: time)
        // down_blocks.0: CrossAttnDownBlock2D 32 -> 32 with a downsampler; down_blocks.1: DownBlock2D 32 -> 64.
        list.resnet("down_blocks.0.resnets.0", input: 32, output: 32, timeEmbedding: time)
        list.transformer("down_blocks.0.attentions.0", channels: 32, context: context)
        list.convolution("down_blocks.0.downsamplers.0.conv", input: 32, output: 32, kernel: 3)
        list.resnet("down_blocks.1.resnets.0", input: 32, output: 64, timeEmbedding: time)
        // mid_block: UNetMidBlock2DCrossAttn at 64.
        list.resnet("mid_block.resnets.0", input: 64, output: 64, timeEmbedding: time)
        list.transformer("mid_block.attentions.0", channels: 64, context: context)
        list.resnet("mid_block.resnets.1", input: 64, output: 64, timeEmbedding: time)
        // up_blocks.0: UpBlock2D to 64 (skips 64, 32) with an upsampler; up_blocks.1:
        // CrossAttnUpBlock2D to 32 (skips 32, 32).
        list.resnet("up_blocks.0.resnets.0", input: 64 + 64, output: 64, timeEmbedding: time)
        list.resnet("up_blocks.0.resnets.1", input: 64 + 32, output: 64, timeEmbedding: time)
        list.convolution("up_blocks.0.upsamplers.0.conv", input: 64, output: 64, kernel: 3)
        list.resnet("up_blocks.1.resnets.0", input: 64 + 32, output: 32, timeEmbedding: time)
        list.transformer("up_blocks.1.attentions.0", channels: 32, context: context)
        list.resnet("up_blocks.1.resnets.1", input: 32 + 32, output: 32, timeEmbedding: time)
        list.transformer("up_blocks.1.attentions.1", channels: 32, context: context)
        list.normalization("conv_norm_out", channels: channels[0])
        list.convolution("conv_out", input: channels[0], output: latent, kernel: 3)
        return list
    }

    /// The CLIP text encoder of ``TinyRandomModel/textEncoderConfigurationJSON``.
    static func textEncoder() -> TinyRandomParameterList {
        var list = TinyRandomParameterList()
        let hidden = 32, intermediate = 37, layers = 2
        list.add("embeddings.token_embedding.weight", [TinyRandomVocabulary.size, hidden])
        list.add("embeddings.position_embedding.weight", [77, hidden])
        for layer in 0..<layers {
            let path = "encoder.layers.\(layer)"
            list.normalization(path + ".layer_norm1", channels: hidden)
            for projection in ["q_proj", "k_proj", "v_proj", "out_proj"] {
                list.linear("\(path).self_attn.\(projection)", input: hidden, output: hidden)
            }
            list.normalization(path + ".layer_norm2", channels: hidden)
            list.linear(path + ".mlp.fc1", input: hidden, output: intermediate)
            list.linear(path + ".mlp.fc2", input: intermediate, output: hidden)
        }
        list.normalization("final_layer_norm", channels: hidden)
        return list
    }

    /// diffusers' `UNetMidBlock2D` of the VAE: two resnets around one single-head attention.
    mutating func autoencoderMiddle(_ path: String, channels: Int) {
        resnet(path + ".resnets.0", input: channels, output: channels, timeEmbedding: nil)
        normalization(path + ".attentions.0.group_norm", channels: channels)
        for projection in ["to_q", "to_k", "to_v", "to_out.0"] {
            linear("\(path).attentions.0.\(projection)", input: channels, output: channels)
        }
        resnet(path + ".resnets.1", input: channels, output: channels, timeEmbedding: nil)
    }

    /// The KL autoencoder of ``TinyRandomModel/autoencoderConfigurationJSON``: four levels
    /// (16, 32, 32, 32), so latents are 1/8 of the image as in Stable Diffusion; `latent`
    /// channels (SD3's: 16) and, unless `quantConvolutions` is false (SD3's VAE has none),
    /// `quant_conv` and `post_quant_conv`.
    static func autoencoder(latent: Int = 4, quantConvolutions: Bool = true) -> TinyRandomParameterList {
        var list = TinyRandomParameterList()
        let channels = [16, 32, 32, 32]
        list.convolution("encoder.conv_in", input: 3, output: channels[0], kernel: 3)
        var output = channels[0]
        for (index, blockChannels) in channels.enumerated() {
            let input = output
            output = blockChannels
            list.resnet("encoder.down_blocks.\(index).resnets.0", input: input, output: output, timeEmbedding: nil)
            if index < channels.count - 1 {
                list.convolution("encoder.down_blocks.\(index).downsamplers.0.conv", input: output, output: output, kernel: 3)
            }
        }
        list.autoencoderMiddle("encoder.mid_block", channels: output)
        list.normalization("encoder.conv_norm_out", channels: output)
        list.convolution("encoder.conv_out", input: output, output: 2 * latent, kernel: 3)
        if quantConvolutions {
            list.convolution("quant_conv", input: 2 * latent, output: 2 * latent, kernel: 1)
            list.convolution("post_quant_conv", input: latent, output: latent, kernel: 1)
        }
        let reversed = Array(channels.reversed())
        list.convolution("decoder.conv_in", input: latent, output: reversed[0], kernel: 3)
        list.autoencoderMiddle("decoder.mid_block", channels: reversed[0])
        output = reversed[0]
        for (index, blockChannels) in reversed.enumerated() {
            let previous = output
            output = blockChannels
            for layer in 0..<2 {
                list.resnet("decoder.up_blocks.\(index).resnets.\(layer)", input: layer == 0 ? previous : output, output: output, timeEmbedding: nil)
            }
            if index < reversed.count - 1 {
                list.convolution("decoder.up_blocks.\(index).upsamplers.0.conv", input: output, output: output, kernel: 3)
            }
        }
        list.normalization("decoder.conv_norm_out", channels: channels[0])
        list.convolution("decoder.conv_out", input: channels[0], output: 3, kernel: 3)
        return list
    }

    /// diffusers' `AutoencoderTinyBlock` at constant width: `conv.0`, `conv.2`, `conv.4`, no skip.
    mutating func tinyBlock(_ path: String, channels: Int) {
        for index in [0, 2, 4] { convolution("\(path).conv.\(index)", input: channels, output: channels, kernel: 3) }
    }

    /// The TAESD of ``TinyRandomModel/tinyAutoencoderConfigurationJSON``: width 16, four levels,
    /// one block per level, `latent` channels (TAESD3's: 16). Indices count every `nn.Sequential`
    /// entry, weightless ones too.
    static func tinyAutoencoder(latent: Int = 4) -> TinyRandomParameterList {
        var list = TinyRandomParameterList()
        let width = 16
        // Encoder: conv(3->16), block, then three times [stride-2 conv without bias, block], conv(16->4).
        list.convolution("encoder.layers.0", input: 3, output: width, kernel: 3)
        list.tinyBlock("encoder.layers.1", channels: width)
        for level in 1..<4 {
            list.convolution("encoder.layers.\(2 * level)", input: width, output: width, kernel: 3, bias: false)
            list.tinyBlock("encoder.layers.\(2 * level + 1)", channels: width)
        }
        list.convolution("encoder.layers.8", input: width, output: latent, kernel: 3)
        // Decoder: conv(4->16), ReLU, three times [block, upsample, conv without bias], block, conv(16->3).
        list.convolution("decoder.layers.0", input: latent, output: width, kernel: 3)
        for level in 0..<3 {
            list.tinyBlock("decoder.layers.\(2 + 3 * level)", channels: width)
            list.convolution("decoder.layers.\(4 + 3 * level)", input: width, output: width, kernel: 3, bias: false)
        }
        list.tinyBlock("decoder.layers.11", channels: width)
        list.convolution("decoder.layers.12", input: width, output: 3, kernel: 3)
        return list
    }
}
