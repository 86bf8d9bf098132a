import DiffusionModels
import TensorRuntime

// Port of transformers 5.24 `OPTForCausalLM` (models/opt/modeling_opt.py) for the configuration
// BLIP-2 uses (pre-norm layers, `word_embed_proj_dim == hidden_size`, no project_in/out): learned
// positions with OPT's offset of 2, decoder layers with causal self-attention over a key/value
// cache, the final layer norm and `lm_head` (tied to the token embedding unless the checkpoint
// stores `lm_head.weight`). Inputs are embeddings, as `Blip2ForConditionalGeneration` passes them.

/// OPT's decoder and language-model head.
public struct OPTDecoder: Sendable {
    public let configuration: OPTConfiguration
    /// `embed_tokens.weight` [vocabulary, D].
    public let tokenEmbedding: Tensor
    let positionEmbedding: Tensor
    let layers: [OPTDecoderLayer]
    let finalLayerNorm: LayerNorm?
    let languageModelHead: Tensor

    /// OPT's learned positions start at row 2 (`OPTLearnedPositionalEmbedding.offset`).
    static let positionOffset = 2

    /// Takes the weights under `root` (`language_model`) from `store`.
    public init(configuration: OPTConfiguration, store: ParameterStore, root: KeyPath) throws {
        self.configuration = configuration
        let width = configuration.hiddenSize
        let decoder = root.appending("model", "decoder")
        tokenEmbedding = try store.take(decoder.key("embed_tokens.weight"), shape: [configuration.vocabularySize, width])
        positionEmbedding = try store.take(decoder.key("embed_positions.weight"),
                                           shape: [configuration.maximumPositionEmbeddings + Self.positionOffset, width])
        layers = try (0..<configuration.layerCount).map {
            try OPTDecoderLayer(configuration: configuration, store: store, root: decoder.appending("layers", $0))
        }
        finalLayerNorm = configuration.removeFinalLayerNorm ? nil
            : try LayerNorm(store, decoder.appending("final_layer_norm"), features: width, epsilon: 1e-5)
        let headKey = root.key("lm_head.weight")
        if !configuration.tieWordEmbeddings || store.keys.contains(headKey) {
            languageModelHead = try store.take(headKey, shape: [configuration.vocabularySize, width])
        } else {
            languageModelHead = tokenEmbedding
        }
    }

    /// The embeddings [n, D] of `ids` (each must be below the vocabulary size).
    public func embeddings(of ids: [Int]) throws -> Tensor {
        if let bad = ids.first(where: { $0 < 0 || $0 >= configuration.vocabularySize }) {
            throw ModelLoadingError.invalidInput(name: "input_ids", reason: "id \(bad) is outside the vocabulary (0..<\(configuration.vocabularySize))")
        }
        return tokenEmbedding.gatherRows(ids)
    }

    /// Runs `inputEmbeddings` [n, D] after the `cache.count` positions already in `cache`
    /// (appending their keys and values), and returns the logits [n, vocabulary] — or, with
    /// `lastOnly`, of the last position only [1, vocabulary].
    public func logits(_ inputEmbeddings: Tensor, cache: inout OPTKeyValueCache, lastOnly: Bool = false) throws -> Tensor {
        let count = inputEmbeddings.shape[0]
        let start = cache.count
        guard start + count <= configuration.maximumPositionEmbeddings else {
            throw ModelLoadingError.invalidInput(name: "input_ids", reason: "\(start + count) positions exceed max_position_embeddings \(configuration.maximumPositionEmbeddings)")
        }
        guard start == 0 || count == 1 else {
            throw ModelLoadingError.invalidInput(name: "inputs_embeds", reason: "\(count) new positions after \(start) cached ones: only one at a time once the cache holds a prompt")
        }
        if cache.layers.isEmpty { cache.layers = Array(repeating: nil, count: layers.count) }
        let positions = Array((start + Self.positionOffset)..<(start + count + Self.positionOffset))
        var hidden = inputEmbeddings + positionEmbedding.gatherRows(positions)
        for (index, layer) in layers.enumerated() {
            try Task.checkCancellation()
            hidden = layer(hidden, cache: &cache.layers[index])
        }
        cache.count += count
        if lastOnly { hidden = hidden.slice(outer: count - 1, length: 1) }
        if let finalLayerNorm { hidden = finalLayerNorm(hidden) }
        return hidden.linear(weight: languageModelHead, bias: nil)
    }
}

/// The keys and values of every position run so far, per decoder layer ([positions, D] each).
public struct OPTKeyValueCache: Sendable {
    /// Positions already run.
    public internal(set) var count = 0
    var layers: [(keys: Tensor, values: Tensor)?] = []

    public init() {}
}

/// `OPTDecoderLayer` (pre-norm): x + out_proj(attention(norm(x))), then x + fc2(relu(fc1(norm(x)))).
struct OPTDecoderLayer: Sendable {
    let selfAttentionLayerNorm: LayerNorm
    let query: Linear, key: Linear, value: Linear, output: Linear
    let finalLayerNorm: LayerNorm
    let fullyConnected1: Linear, fullyConnected2: Linear
    let activation: Activation
    let headCount: Int

    init(configuration: OPTConfiguration, store: ParameterStore, root: KeyPath) throws {
        let width = configuration.hiddenSize, bias = configuration.enableBias
        selfAttentionLayerNorm = try LayerNorm(store, root.appending("self_attn_layer_norm"), features: width, epsilon: 1e-5)
        let attention = root.appending("self_attn")
        query = try Linear(store, attention.appending("q_proj"), inFeatures: width, outFeatures: width, bias: bias)
        key = try Linear(store, attention.appending("k_proj"), inFeatures: width, outFeatures: width, bias: bias)
        value = try Linear(store, attention.appending("v_proj"), inFeatures: width, outFeatures: width, bias: bias)
        output = try Linear(store, attention.appending("out_proj"), inFeatures: width, outFeatures: width, bias: bias)
        finalLayerNorm = try LayerNorm(store, root.appending("final_layer_norm"), features: width, epsilon: 1e-5)
        fullyConnected1 = try Linear(store, root.appending("fc1"), inFeatures: width, outFeatures: configuration.feedForwardSize, bias: bias)
        fullyConnected2 = try Linear(store, root.appending("fc2"), inFeatures: configuration.feedForwardSize, outFeatures: width, bias: bias)
        activation = Activation(rawValue: configuration.activation) ?? .relu
        headCount = configuration.headCount
    }

    func callAsFunction(_ hidden: Tensor, cache: inout (keys: Tensor, values: Tensor)?) -> Tensor {
        let count = hidden.shape[0], width = hidden.shape[1]
        let normalised = selfAttentionLayerNorm(hidden)
        var keys = key(normalised), values = value(normalised)
        let past = cache?.keys.shape[0] ?? 0
        if let cached = cache {
            keys = Tensor.concatenateOuter([cached.keys, keys])
            values = Tensor.concatenateOuter([cached.values, values])
        }
        cache = (keys, values)
        // Causal among the new positions (a prompt run on an empty cache); one new position
        // attends to every cached one.
        precondition(past == 0 || count == 1, "OPTDecoderLayer: several new positions after a non-empty cache")
        let attended = Tensor.attention(query: query(normalised).reshaped([1, count, width]),
                                        key: keys.reshaped([1, past + count, width]),
                                        value: values.reshaped([1, past + count, width]),
                                        heads: headCount, causal: count > 1)
        let afterAttention = output(attended.reshaped([count, width])) + hidden
        return fullyConnected2(fullyConnected1(finalLayerNorm(afterAttention)).activated(activation)) + afterAttention
    }
}
