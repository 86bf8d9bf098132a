import TensorRuntime

/// diffusers' `UNetMidBlock2D` as the VAE uses it (no time embedding, eps 1e-6): resnet,
/// single-head spatial self-attention with its own group norm and residual, resnet.
struct VAEMidBlock: Sendable {
    let firstResnet: ResnetBlock2D
    let attentionNorm: GroupNorm?
    let attention: Attention?
    let secondResnet: ResnetBlock2D

    init(_ store: ParameterStore, _ path: KeyPath, channels: Int, groups: Int, addAttention: Bool) throws {
        firstResnet = try ResnetBlock2D(store, path.appending("resnets", 0), inChannels: channels, outChannels: channels,
                                        timeEmbeddingChannels: nil, groups: groups, epsilon: 1e-6)
        if addAttention {
            let attentionPath = path.appending("attentions", 0)
            attentionNorm = try GroupNorm(store, attentionPath.appending("group_norm"), groups: groups, channels: channels, epsilon: 1e-6)
            attention = try Attention(store, attentionPath, queryDimension: channels, heads: 1, headDimension: channels, qkvBias: true)
        } else {
            attentionNorm = nil
            attention = nil
        }
        secondResnet = try ResnetBlock2D(store, path.appending("resnets", 1), inChannels: channels, outChannels: channels,
                                         timeEmbeddingChannels: nil, groups: groups, epsilon: 1e-6)
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        var hidden = firstResnet(input)
        if let attention, let attentionNorm {
            let height = hidden.shape[2], width = hidden.shape[3]
            let attended = attention(attentionNorm(hidden).channelsLast()).channelsFirst(height: height, width: width)
            attended.addInPlace(hidden)
            hidden = attended
        }
        return secondResnet(hidden)
    }
}
