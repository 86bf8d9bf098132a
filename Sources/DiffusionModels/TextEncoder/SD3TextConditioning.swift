import TensorRuntime

/// SD3's text conditioning without T5, as diffusers 0.42.1 `StableDiffusion3Pipeline.encode_prompt`
/// builds it with `text_encoder_3=None` (the SemanticDraw and Flash SD3 set-up), from the outputs
/// of its two CLIP encoders (`text_encoder/`, `text_encoder_2/`, both
/// `CLIPTextModelWithProjection`, each fed its own tokenizer's 77 ids):
///
/// - context [B, 77 + t5SequenceLength, J]: the two penultimate hidden states
///   (`hidden_states[-2]`, `clip_skip` unset) concatenated along the channels (768 + 1280 = 2048
///   for SD3), zero-padded to `joint_attention_dim` J (4096), then `t5SequenceLength` (256,
///   `max_sequence_length`) zero tokens where T5's would be: 333 tokens;
/// - pooled [B, P1 + P2]: the two `text_embeds` concatenated (768 + 1280 = 2048).
public enum SD3TextConditioning {
    /// The token context [B, L + t5SequenceLength, jointAttentionDimension] of the two encoders'
    /// penultimate states [B, L, D1] and [B, L, D2].
    /// - Throws: ``ModelLoadingError/invalidInput(name:reason:)`` when the states do not match
    ///   or are wider together than `jointAttentionDimension`.
    public static func context(firstPenultimate: Tensor, secondPenultimate: Tensor, jointAttentionDimension: Int,
                               t5SequenceLength: Int = 256) throws -> Tensor {
        guard firstPenultimate.rank == 3, secondPenultimate.rank == 3,
              firstPenultimate.shape.prefix(2) == secondPenultimate.shape.prefix(2) else {
            throw ModelLoadingError.invalidInput(name: "penultimate_hidden_state",
                reason: "the two encoders' states have shapes \(firstPenultimate.shape) and \(secondPenultimate.shape), expected [B, L, D1] and [B, L, D2]")
        }
        let batch = firstPenultimate.shape[0], length = firstPenultimate.shape[1]
        let width = firstPenultimate.shape[2] + secondPenultimate.shape[2]
        guard width <= jointAttentionDimension, t5SequenceLength >= 0 else {
            throw ModelLoadingError.invalidInput(name: "penultimate_hidden_state",
                reason: "the two encoders are \(width) channels wide together, more than joint_attention_dim \(jointAttentionDimension)")
        }
        var parts = [firstPenultimate.reshaped([batch * length, firstPenultimate.shape[2]]),
                     secondPenultimate.reshaped([batch * length, secondPenultimate.shape[2]])]
        if width < jointAttentionDimension { parts.append(Tensor.zeros([batch * length, jointAttentionDimension - width])) }
        let clip = Tensor.concatenateChannels(parts).reshaped([batch, length, jointAttentionDimension])
        guard t5SequenceLength > 0 else { return clip }
        return Tensor.concatenateChannels([clip, Tensor.zeros([batch, t5SequenceLength, jointAttentionDimension])])
    }

    /// The pooled embedding [B, P1 + P2] of the two encoders' `text_embeds` [B, P1] and [B, P2].
    /// - Throws: ``ModelLoadingError/invalidInput(name:reason:)`` when the batches differ.
    public static func pooled(firstTextEmbeds: Tensor, secondTextEmbeds: Tensor) throws -> Tensor {
        guard firstTextEmbeds.rank == 2, secondTextEmbeds.rank == 2, firstTextEmbeds.shape[0] == secondTextEmbeds.shape[0] else {
            throw ModelLoadingError.invalidInput(name: "text_embeds",
                reason: "the two encoders' text_embeds have shapes \(firstTextEmbeds.shape) and \(secondTextEmbeds.shape), expected [B, P1] and [B, P2]")
        }
        return Tensor.concatenateChannels([firstTextEmbeds, secondTextEmbeds])
    }
}
