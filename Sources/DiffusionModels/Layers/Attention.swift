import TensorRuntime

/// diffusers' `Attention` (models/attention_processor.py, diffusers 0.42) as the UNet's
/// transformer blocks and the VAE mid-block use it: `to_q`, `to_k`, `to_v` (biases only in the
/// VAE), `to_out.0`, multi-head scaled dot-product attention. Self-attention when no context is
/// given, cross-attention otherwise.
public struct Attention: Sendable {
    public let toQuery: Linear, toKey: Linear, toValue: Linear, toOut: Linear
    public let heads: Int

    public init(_ store: ParameterStore, _ path: KeyPath, queryDimension: Int, contextDimension: Int? = nil,
                heads: Int, headDimension: Int, qkvBias: Bool = false) throws {
        let inner = heads * headDimension
        let context = contextDimension ?? queryDimension
        toQuery = try Linear(store, path.appending("to_q"), inFeatures: queryDimension, outFeatures: inner, bias: qkvBias)
        toKey = try Linear(store, path.appending("to_k"), inFeatures: context, outFeatures: inner, bias: qkvBias)
        toValue = try Linear(store, path.appending("to_v"), inFeatures: context, outFeatures: inner, bias: qkvBias)
        toOut = try Linear(store, path.appending("to_out", 0), inFeatures: inner, outFeatures: queryDimension)
        self.heads = heads
    }

    /// hiddenStates [B, S, D]; context [B, S', D'] (nil for self-attention).
    public func callAsFunction(_ hiddenStates: Tensor, context: Tensor? = nil) -> Tensor {
        let source = context ?? hiddenStates
        let attended = Tensor.attention(query: toQuery(hiddenStates), key: toKey(source), value: toValue(source), heads: heads)
        return toOut(attended)
    }
}
