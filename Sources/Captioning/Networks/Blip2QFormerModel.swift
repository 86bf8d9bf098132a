import DiffusionModels
import TensorRuntime

// Port of transformers 5.24 `Blip2QFormerModel` (models/blip_2/modeling_blip_2.py) as
// `Blip2ForConditionalGeneration` runs it: the learned query tokens through the embedding layer
// norm, then BERT-style post-norm layers — self-attention, cross-attention to the image
// embeddings every `cross_attention_frequency` layers, and the query feed-forward
// (`intermediate_query` / `output_query`). No text input, no attention masks (all ones).

/// The Q-Former: query tokens [Q, Dq] attending to image embeddings [1, N, Dv] -> [1, Q, Dq].
public struct Blip2QFormerModel: Sendable {
    public let configuration: Blip2QFormerConfiguration
    let layerNorm: LayerNorm
    let layers: [Blip2QFormerLayer]

    /// Takes the weights under `root` (`qformer`) from `store`.
    public init(configuration: Blip2QFormerConfiguration, store: ParameterStore, root: KeyPath) throws {
        self.configuration = configuration
        layerNorm = try LayerNorm(store, root.appending("layernorm"), features: configuration.hiddenSize, epsilon: configuration.layerNormEpsilon)
        layers = try (0..<configuration.layerCount).map { index in
            try Blip2QFormerLayer(configuration: configuration, store: store, root: root.appending("encoder", "layer", index),
                                  crossAttention: index % configuration.crossAttentionFrequency == 0)
        }
    }

    /// The last hidden state [1, Q, Dq] of `queryTokens` [1, Q, Dq] over `imageEmbeddings` [1, N, Dv].
    public func callAsFunction(queryTokens: Tensor, imageEmbeddings: Tensor) throws -> Tensor {
        guard queryTokens.rank == 3, queryTokens.shape[0] == 1, queryTokens.shape[2] == configuration.hiddenSize else {
            throw ModelLoadingError.invalidInput(name: "query_tokens", reason: "has shape \(queryTokens.shape), expected [1, Q, \(configuration.hiddenSize)]")
        }
        guard imageEmbeddings.rank == 3, imageEmbeddings.shape[0] == 1, imageEmbeddings.shape[2] == configuration.encoderHiddenSize else {
            throw ModelLoadingError.invalidInput(name: "image_embeds", reason: "has shape \(imageEmbeddings.shape), expected [1, N, \(configuration.encoderHiddenSize)]")
        }
        let queries = queryTokens.shape[1]
        var hidden = layerNorm(queryTokens.reshaped([queries, configuration.hiddenSize]))
        let image = imageEmbeddings.reshaped([imageEmbeddings.shape[1], configuration.encoderHiddenSize])
        for layer in layers {
            try Task.checkCancellation()
            hidden = layer(hidden, image: image)
        }
        return hidden.reshaped([1, queries, configuration.hiddenSize])
    }
}

/// `Blip2QFormerAttention`: multi-head attention (`attention.query/key/value`), then
/// `output.dense` and `output.LayerNorm(dense + input)`; keys and values come from the image
/// for cross-attention.
struct Blip2QFormerAttention: Sendable {
    let query: Linear, key: Linear, value: Linear
    let dense: Linear
    let layerNorm: LayerNorm
    let headCount: Int

    init(configuration: Blip2QFormerConfiguration, store: ParameterStore, root: KeyPath, keyValueWidth: Int) throws {
        let width = configuration.hiddenSize
        query = try Linear(store, root.appending("attention", "query"), inFeatures: width, outFeatures: width)
        key = try Linear(store, root.appending("attention", "key"), inFeatures: keyValueWidth, outFeatures: width)
        value = try Linear(store, root.appending("attention", "value"), inFeatures: keyValueWidth, outFeatures: width)
        dense = try Linear(store, root.appending("output", "dense"), inFeatures: width, outFeatures: width)
        layerNorm = try LayerNorm(store, root.appending("output", "LayerNorm"), features: width, epsilon: configuration.layerNormEpsilon)
        headCount = configuration.headCount
    }

    /// `hidden` [Q, D] attending to `context` [N, Dkv] (itself for self-attention).
    func callAsFunction(_ hidden: Tensor, context: Tensor) -> Tensor {
        let width = hidden.shape[1]
        let attended = Tensor.attention(query: query(hidden).reshaped([1, hidden.shape[0], width]),
                                        key: key(context).reshaped([1, context.shape[0], width]),
                                        value: value(context).reshaped([1, context.shape[0], width]),
                                        heads: headCount)
        return layerNorm(dense(attended.reshaped([hidden.shape[0], width])) + hidden)
    }
}

/// `Blip2QFormerLayer` for queries only: self-attention, optional cross-attention, query feed-forward.
struct Blip2QFormerLayer: Sendable {
    let selfAttention: Blip2QFormerAttention
    let crossAttention: Blip2QFormerAttention?
    let intermediate: Linear
    let output: Linear
    let outputLayerNorm: LayerNorm
    let activation: Activation

    init(configuration: Blip2QFormerConfiguration, store: ParameterStore, root: KeyPath, crossAttention hasCrossAttention: Bool) throws {
        let width = configuration.hiddenSize
        selfAttention = try Blip2QFormerAttention(configuration: configuration, store: store, root: root.appending("attention"),
                                                  keyValueWidth: width)
        crossAttention = hasCrossAttention
            ? try Blip2QFormerAttention(configuration: configuration, store: store, root: root.appending("crossattention"),
                                        keyValueWidth: configuration.encoderHiddenSize)
            : nil
        intermediate = try Linear(store, root.appending("intermediate_query", "dense"), inFeatures: width, outFeatures: configuration.intermediateSize)
        output = try Linear(store, root.appending("output_query", "dense"), inFeatures: configuration.intermediateSize, outFeatures: width)
        outputLayerNorm = try LayerNorm(store, root.appending("output_query", "LayerNorm"), features: width, epsilon: configuration.layerNormEpsilon)
        activation = Activation(rawValue: configuration.activation) ?? .gelu
    }

    func callAsFunction(_ hidden: Tensor, image: Tensor) -> Tensor {
        var attended = selfAttention(hidden, context: hidden)
        if let crossAttention { attended = crossAttention(attended, context: image) }
        return outputLayerNorm(output(intermediate(attended).activated(activation)) + attended)
    }
}
