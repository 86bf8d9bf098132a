import TensorRuntime

/// diffusers' `Attention` with `JointAttnProcessor2_0` (models/attention_processor.py, diffusers
/// 0.42.1) as SD3's blocks use it, with biases everywhere:
///
/// - image stream: `to_q`, `to_k`, `to_v`, optional per-head `norm_q`/`norm_k` (RMSNorm,
///   `qk_norm="rms_norm"`, eps 1e-6), output `to_out.0`;
/// - context stream (when built with one, `added_kv_proj_dim`): `add_q_proj`, `add_k_proj`,
///   `add_v_proj`, `norm_added_q`/`norm_added_k`, output `to_add_out` unless the block is
///   context-only (`context_pre_only`: the context's attention output is dropped).
///
/// Both streams' queries attend to the keys and values of both streams along the sequence (image
/// tokens first), as diffusers' concatenation, attention and split compute it
/// (``Tensor/jointAttention(queries:keys:values:heads:)``, which builds no concatenation).
/// Without a context stream (SD3.5's `attn2`) it is plain self-attention on the image tokens.
struct JointAttention: Sendable {
    struct Projections: Sendable {
        let query: Linear, key: Linear, value: Linear
        let queryNorm: RMSNorm?, keyNorm: RMSNorm?
    }

    let image: Projections
    let imageOut: Linear
    let context: Projections?
    /// `to_add_out`; nil for a context-only block (or without a context stream).
    let contextOut: Linear?
    let heads: Int
    let headDimension: Int

    init(_ store: ParameterStore, _ path: KeyPath, dimension: Int, heads: Int, headDimension: Int,
         normalization: SD3TransformerConfiguration.QueryKeyNormalization?, hasContext: Bool, contextPreOnly: Bool) throws {
        let inner = heads * headDimension
        func projections(_ names: (query: String, key: String, value: String, queryNorm: String, keyNorm: String)) throws -> Projections {
            let norms = try normalization.map { _ in
                (try RMSNorm(store, path.appending(names.queryNorm), features: headDimension, epsilon: 1e-6),
                 try RMSNorm(store, path.appending(names.keyNorm), features: headDimension, epsilon: 1e-6))
            }
            return Projections(query: try Linear(store, path.appending(names.query), inFeatures: dimension, outFeatures: inner),
                               key: try Linear(store, path.appending(names.key), inFeatures: dimension, outFeatures: inner),
                               value: try Linear(store, path.appending(names.value), inFeatures: dimension, outFeatures: inner),
                               queryNorm: norms?.0, keyNorm: norms?.1)
        }
        image = try projections(("to_q", "to_k", "to_v", "norm_q", "norm_k"))
        imageOut = try Linear(store, path.appending("to_out", 0), inFeatures: inner, outFeatures: dimension)
        context = hasContext ? try projections(("add_q_proj", "add_k_proj", "add_v_proj", "norm_added_q", "norm_added_k")) : nil
        contextOut = hasContext && !contextPreOnly
            ? try Linear(store, path.appending("to_add_out"), inFeatures: inner, outFeatures: dimension) : nil
        self.heads = heads
        self.headDimension = headDimension
    }

    /// (query, key, value) [B, S, H*Dh] of one stream, queries and keys normalised per head.
    private func project(_ input: Tensor, with projections: Projections) -> (Tensor, Tensor, Tensor) {
        func normalized(_ tensor: Tensor, _ norm: RMSNorm?) -> Tensor {
            guard let norm else { return tensor }
            return norm(tensor.reshaped([tensor.count / headDimension, headDimension])).reshaped(tensor.shape)
        }
        return (normalized(projections.query(input), projections.queryNorm), normalized(projections.key(input), projections.keyNorm),
                projections.value(input))
    }

    /// Image tokens [B, N, D] and, with a context stream, context tokens [B, S, D]: the image
    /// stream's output [B, N, D] and the context stream's [B, S, D] (nil for a context-only
    /// block or without context).
    func callAsFunction(_ hiddenStates: Tensor, context contextStates: Tensor? = nil) -> (image: Tensor, context: Tensor?) {
        let (query, key, value) = project(hiddenStates, with: image)
        guard let context, let contextStates else {
            return (imageOut(Tensor.attention(query: query, key: key, value: value, heads: heads)), nil)
        }
        let (contextQuery, contextKey, contextValue) = project(contextStates, with: context)
        // Both streams' queries against the keys and values of the image tokens followed by the
        // context tokens, without concatenating them; a context-only block skips the context's
        // queries, whose output it drops.
        let attended = Tensor.jointAttention(queries: contextOut == nil ? [query] : [query, contextQuery],
                                             keys: [key, contextKey], values: [value, contextValue], heads: heads)
        return (imageOut(attended[0]), contextOut.map { $0(attended[1]) })
    }
}
