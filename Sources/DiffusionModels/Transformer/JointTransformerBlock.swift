import TensorRuntime

/// diffusers' `JointTransformerBlock` (models/attention.py, diffusers 0.42.1), the MMDiT block
/// of SD3: image tokens and context tokens are each modulated by an adaptive layer norm
/// (`norm1`, `norm1_context`), attend jointly (`attn`), and go through gated residual
/// feed-forwards (`norm2` + `ff`, `norm2_context` + `ff_context`; layer norms without affine
/// parameters, eps 1e-6, GELU-tanh feed-forwards).
///
/// - A context-only block (`context_pre_only`, the last one) normalises the context with
///   `AdaLayerNormContinuous` and returns no context.
/// - A dual-attention block (SD3.5 Medium's `dual_attention_layers`) uses
///   `SD35AdaLayerNormZeroX` for `norm1` and adds `attn2`, self-attention on the image tokens
///   normalised with the second modulation, gated by `gate_msa2`.
struct JointTransformerBlock: Sendable {
    let norm1: AdaptiveLayerNorm
    let norm1Context: AdaptiveLayerNorm
    let attention: JointAttention
    let attention2: JointAttention?
    let feedForward: GELUFeedForward
    let feedForwardContext: GELUFeedForward?
    let contextPreOnly: Bool

    init(_ store: ParameterStore, _ path: KeyPath, configuration: SD3TransformerConfiguration, contextPreOnly: Bool,
         dualAttention: Bool) throws {
        let dimension = configuration.innerDimension
        norm1 = try AdaptiveLayerNorm(store, path.appending("norm1"), kind: dualAttention ? .zeroX : .zero, dimension: dimension)
        norm1Context = try AdaptiveLayerNorm(store, path.appending("norm1_context"), kind: contextPreOnly ? .continuous : .zero,
                                             dimension: dimension)
        attention = try JointAttention(store, path.appending("attn"), dimension: dimension, heads: configuration.attentionHeadCount,
                                       headDimension: configuration.attentionHeadDimension,
                                       normalization: configuration.queryKeyNormalization, hasContext: true,
                                       contextPreOnly: contextPreOnly)
        attention2 = dualAttention
            ? try JointAttention(store, path.appending("attn2"), dimension: dimension, heads: configuration.attentionHeadCount,
                                 headDimension: configuration.attentionHeadDimension,
                                 normalization: configuration.queryKeyNormalization, hasContext: false, contextPreOnly: false)
            : nil
        feedForward = try GELUFeedForward(store, path.appending("ff"), dimension: dimension)
        feedForwardContext = contextPreOnly ? nil : try GELUFeedForward(store, path.appending("ff_context"), dimension: dimension)
        self.contextPreOnly = contextPreOnly
    }

    /// hiddenStates [B, N, D], context [B, S, D], activatedConditioning = SiLU(temb) [B, D]:
    /// the new image tokens and the new context (nil after a context-only block).
    func callAsFunction(_ hiddenStates: Tensor, context: Tensor, activatedConditioning: Tensor) -> (hiddenStates: Tensor, context: Tensor?) {
        let modulation = norm1.modulation(activatedConditioning)
        let normalized = hiddenStates.adaptivelyNormalized(scale: modulation.scaleAttention, shift: modulation.shiftAttention)
        let contextModulation = norm1Context.modulation(activatedConditioning)
        let normalizedContext = contextPreOnly
            ? context.adaptivelyNormalized(scale: contextModulation.continuousScale, shift: contextModulation.continuousShift)
            : context.adaptivelyNormalized(scale: contextModulation.scaleAttention, shift: contextModulation.shiftAttention)

        let attended = attention(normalized, context: normalizedContext)
        var hidden = hiddenStates.addingGated(attended.image, gate: modulation.gateAttention)
        if let attention2 {
            let normalized2 = hiddenStates.adaptivelyNormalized(scale: modulation.scaleAttention2, shift: modulation.shiftAttention2)
            hidden = hidden.addingGated(attention2(normalized2).image, gate: modulation.gateAttention2)
        }
        let fed = feedForward(hidden.adaptivelyNormalized(scale: modulation.scaleFeedForward, shift: modulation.shiftFeedForward))
        hidden = hidden.addingGated(fed, gate: modulation.gateFeedForward)

        guard let feedForwardContext, let contextAttention = attended.context else { return (hidden, nil) }
        var newContext = context.addingGated(contextAttention, gate: contextModulation.gateAttention)
        let fedContext = feedForwardContext(newContext.adaptivelyNormalized(scale: contextModulation.scaleFeedForward,
                                                                              shift: contextModulation.shiftFeedForward))
        newContext = newContext.addingGated(fedContext, gate: contextModulation.gateFeedForward)
        return (hidden, newContext)
    }
}
