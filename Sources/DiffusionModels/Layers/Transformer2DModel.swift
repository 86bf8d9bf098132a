import TensorRuntime

/// diffusers' `Transformer2DModel` for continuous inputs (models/transformers/transformer_2d.py,
/// diffusers 0.42): GroupNorm (eps 1e-6), `proj_in` (1x1 conv for SD1.x, linear with
/// `use_linear_projection` for SD2.x), `transformer_blocks`, `proj_out`, residual.
public struct Transformer2DModel: Sendable {
    let norm: GroupNorm
    let projectionIn: Projection, projectionOut: Projection
    let blocks: [BasicTransformerBlock]

    /// A 1x1 convolution on [B, C, H, W] or a linear layer on [B, HW, C].
    enum Projection: Sendable {
        case convolution(Conv2d)
        case linear(Linear)
    }

    public init(_ store: ParameterStore, _ path: KeyPath, channels: Int, heads: Int, layers: Int,
                contextDimension: Int, groups: Int, useLinearProjection: Bool) throws {
        norm = try GroupNorm(store, path.appending("norm"), groups: groups, channels: channels, epsilon: 1e-6)
        if useLinearProjection {
            projectionIn = .linear(try Linear(store, path.appending("proj_in"), inFeatures: channels, outFeatures: channels))
        } else {
            projectionIn = .convolution(try Conv2d(store, path.appending("proj_in"), inChannels: channels, outChannels: channels, kernelSize: 1))
        }
        blocks = try (0..<layers).map { index in
            try BasicTransformerBlock(store, path.appending("transformer_blocks", index), dimension: channels,
                                      heads: heads, headDimension: channels / heads, contextDimension: contextDimension)
        }
        if useLinearProjection {
            projectionOut = .linear(try Linear(store, path.appending("proj_out"), inFeatures: channels, outFeatures: channels))
        } else {
            projectionOut = .convolution(try Conv2d(store, path.appending("proj_out"), inChannels: channels, outChannels: channels, kernelSize: 1))
        }
    }

    /// input [B, C, H, W]; context [B, S, contextDimension].
    public func callAsFunction(_ input: Tensor, context: Tensor) -> Tensor {
        let height = input.shape[2], width = input.shape[3]
        var hidden = norm(input)
        switch projectionIn {
        case .convolution(let conv): hidden = conv(hidden).channelsLast()
        case .linear(let linear): hidden = linear(hidden.channelsLast())
        }
        for block in blocks { hidden = block(hidden, context: context) }
        let output: Tensor
        switch projectionOut {
        case .convolution(let conv): output = conv(hidden.channelsFirst(height: height, width: width))
        case .linear(let linear): output = linear(hidden).channelsFirst(height: height, width: width)
        }
        output.addInPlace(input)
        return output
    }
}

/// diffusers' `BasicTransformerBlock` with layer norms (eps 1e-5): self-attention, cross-attention
/// over the text context, and a GEGLU feed-forward (`ff.net.0.proj`, `ff.net.2`, inner 4x), each
/// pre-normalised and residual.
public struct BasicTransformerBlock: Sendable {
    let norm1: LayerNorm, selfAttention: Attention
    let norm2: LayerNorm, crossAttention: Attention
    let norm3: LayerNorm, feedForwardIn: Linear, feedForwardOut: Linear

    public init(_ store: ParameterStore, _ path: KeyPath, dimension: Int, heads: Int, headDimension: Int, contextDimension: Int) throws {
        norm1 = try LayerNorm(store, path.appending("norm1"), features: dimension, epsilon: 1e-5)
        selfAttention = try Attention(store, path.appending("attn1"), queryDimension: dimension, heads: heads, headDimension: headDimension)
        norm2 = try LayerNorm(store, path.appending("norm2"), features: dimension, epsilon: 1e-5)
        crossAttention = try Attention(store, path.appending("attn2"), queryDimension: dimension, contextDimension: contextDimension,
                                       heads: heads, headDimension: headDimension)
        norm3 = try LayerNorm(store, path.appending("norm3"), features: dimension, epsilon: 1e-5)
        let inner = dimension * 4
        feedForwardIn = try Linear(store, path.appending("ff", "net", 0, "proj"), inFeatures: dimension, outFeatures: inner * 2)
        feedForwardOut = try Linear(store, path.appending("ff", "net", 2), inFeatures: inner, outFeatures: dimension)
    }

    /// hidden [B, S, D]; context [B, S', D'].
    public func callAsFunction(_ input: Tensor, context: Tensor) -> Tensor {
        let hidden = selfAttention(norm1(input))
        hidden.addInPlace(input)
        let crossed = crossAttention(norm2(hidden), context: context)
        crossed.addInPlace(hidden)
        let fed = feedForwardOut(feedForwardIn(norm3(crossed)).geglu())
        fed.addInPlace(crossed)
        return fed
    }
}
