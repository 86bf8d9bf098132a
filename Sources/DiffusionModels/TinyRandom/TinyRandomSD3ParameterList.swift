/// The parameters of the tiny-random-sd3 transformer (``TinyRandomSD3Model``), by checkpoint key.
extension TinyRandomParameterList {
    /// diffusers' `SD3Transformer2DModel` for ``TinyRandomSD3Configurations/transformer``: patch 2
    /// over 16 latent channels, width 32 (2 heads of 16), 2 joint blocks (the last context-only),
    /// `joint_attention_dim` 96, pooled width 64, no qk norm and no dual attention. The position
    /// table `pos_embed.pos_embed` is not drawn: it is the sincos buffer diffusers computes
    /// (``TinyRandomSD3Component/weights()`` adds it).
    static func transformerSD3() -> TinyRandomParameterList {
        var list = TinyRandomParameterList()
        let width = 32, latent = 16, patch = 2, joint = 96, pooled = 64, timestepChannels = 256, layers = 2
        list.convolution("pos_embed.proj", input: latent, output: width, kernel: patch)
        list.linear("time_text_embed.timestep_embedder.linear_1", input: timestepChannels, output: width)
        list.linear("time_text_embed.timestep_embedder.linear_2", input: width, output: width)
        list.linear("time_text_embed.text_embedder.linear_1", input: pooled, output: width)
        list.linear("time_text_embed.text_embedder.linear_2", input: width, output: width)
        list.linear("context_embedder", input: joint, output: width)
        for index in 0..<layers {
            let block = "transformer_blocks.\(index)"
            let contextOnly = index == layers - 1
            list.linear(block + ".norm1.linear", input: width, output: 6 * width)
            // The context-only block's context norm is AdaLayerNormContinuous (scale, shift).
            list.linear(block + ".norm1_context.linear", input: width, output: (contextOnly ? 2 : 6) * width)
            for projection in ["to_q", "to_k", "to_v", "to_out.0", "add_q_proj", "add_k_proj", "add_v_proj"] {
                list.linear("\(block).attn.\(projection)", input: width, output: width)
            }
            var feedForwards = ["ff"]
            if !contextOnly {
                list.linear(block + ".attn.to_add_out", input: width, output: width)
                feedForwards.append("ff_context")
            }
            for feedForward in feedForwards {
                list.linear("\(block).\(feedForward).net.0.proj", input: width, output: 4 * width)
                list.linear("\(block).\(feedForward).net.2", input: 4 * width, output: width)
            }
        }
        list.linear("norm_out.linear", input: width, output: 2 * width)
        list.linear("proj_out", input: width, output: patch * patch * latent)
        return list
    }
}
