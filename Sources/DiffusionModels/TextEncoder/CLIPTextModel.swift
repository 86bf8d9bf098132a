import TensorRuntime

/// transformers' `CLIPTextModel` (models/clip/modeling_clip.py, transformers 5.24): token and
/// position embeddings, pre-norm encoder layers with causal self-attention, final layer norm.
/// Returns the last hidden state and the pooled output.
public struct CLIPTextModel: Sendable {
    /// The decoded configuration.
    public let configuration: CLIPTextConfiguration
    let tokenEmbedding: Tensor, positionEmbedding: Tensor
    let layers: [CLIPEncoderLayer]
    let finalLayerNorm: LayerNorm

    /// The two outputs of the text encoder.
    public struct Output: Sendable {
        /// [B, L, hidden]
        public let lastHiddenState: Tensor
        /// [B, hidden]: the final state at the end-of-text token of each sequence.
        public let pooledOutput: Tensor
    }

    /// Loads from a component folder (`config.json` + `model.safetensors`) or a pipeline folder
    /// with `text_encoder/`.
    public init(folder: String, overrides: [String: Tensor] = [:]) throws {
        let component = try ComponentFolder(path: folder, subfolder: "text_encoder", weightBaseName: "model")
        let configuration = try ConfigurationFile.decode(CLIPTextConfiguration.self, from: component.configurationPath)
        guard Activation(rawValue: configuration.hiddenActivation) == .quickGELU || Activation(rawValue: configuration.hiddenActivation) == .gelu else {
            throw ModelLoadingError.unsupportedConfiguration(file: component.configurationPath, field: "hidden_act", value: configuration.hiddenActivation)
        }
        guard configuration.hiddenSize % configuration.attentionHeadCount == 0 else {
            throw ModelLoadingError.unsupportedConfiguration(file: component.configurationPath, field: "num_attention_heads",
                value: "\(configuration.attentionHeadCount) (does not divide hidden_size \(configuration.hiddenSize))")
        }
        // Older checkpoints store the position-id buffer; it is not a parameter.
        let store = try ParameterStore(path: component.weightsPath,
                                       ignoredKeys: ["text_model.embeddings.position_ids", "embeddings.position_ids"])
        store.overrides = overrides
        try self.init(configuration: configuration, store: store, root: Self.keyRoot(of: store))
        try store.finish()
    }

    /// The key prefix of a checkpoint: transformers 4.x saved `CLIPTextModel` parameters under
    /// `text_model.`; transformers 5.x saves them without it. Both load.
    public static func keyRoot(of store: ParameterStore) -> KeyPath {
        store.keys.contains("text_model.embeddings.token_embedding.weight") ? KeyPath("text_model") : KeyPath()
    }

    /// Builds the network from `store`, taking every parameter under its transformers key
    /// below `root` (see ``keyRoot(of:)``).
    public init(configuration: CLIPTextConfiguration, store: ParameterStore, root: KeyPath = KeyPath("text_model")) throws {
        self.configuration = configuration
        let hidden = configuration.hiddenSize
        tokenEmbedding = try store.take(root.key("embeddings.token_embedding.weight"), shape: [configuration.vocabularySize, hidden])
        positionEmbedding = try store.take(root.key("embeddings.position_embedding.weight"), shape: [configuration.maximumPositionEmbeddings, hidden])
        let activation = Activation(rawValue: configuration.hiddenActivation) ?? .quickGELU
        layers = try (0..<configuration.hiddenLayerCount).map { index in
            try CLIPEncoderLayer(store, root.appending("encoder", "layers", index), configuration: configuration, activation: activation)
        }
        finalLayerNorm = try LayerNorm(store, root.appending("final_layer_norm"), features: hidden, epsilon: configuration.layerNormEpsilon)
    }

    /// Encodes token ids [B][L] (all rows the same length, at most `max_position_embeddings`).
    public func callAsFunction(inputIDs: [[Int]]) throws -> Output {
        let batch = inputIDs.count
        guard batch > 0, let length = inputIDs.first?.count, length > 0, inputIDs.allSatisfy({ $0.count == length }) else {
            throw ModelLoadingError.invalidInput(name: "input_ids", reason: "must be a non-empty [B, L] matrix")
        }
        guard length <= configuration.maximumPositionEmbeddings else {
            throw ModelLoadingError.invalidInput(name: "input_ids", reason: "has \(length) tokens, more than max_position_embeddings \(configuration.maximumPositionEmbeddings)")
        }
        for row in inputIDs {
            if let bad = row.first(where: { $0 < 0 || $0 >= configuration.vocabularySize }) {
                throw ModelLoadingError.invalidInput(name: "input_ids", reason: "token id \(bad) is outside the vocabulary 0..<\(configuration.vocabularySize)")
            }
        }
        let hiddenSize = configuration.hiddenSize
        let embedded = tokenEmbedding.gatherRows(inputIDs.flatMap { $0 }).reshaped([batch, length, hiddenSize])
        let positions = positionEmbedding.gatherRows(Array(0..<length))
        var hidden = embedded + positions
        for layer in layers {
            try Task.checkCancellation()
            hidden = layer(hidden)
        }
        let last = finalLayerNorm(hidden)
        // transformers: legacy eos_token_id 2 pools at argmax(ids); otherwise at the first
        // position equal to eos_token_id (position 0 when absent, as argmax of all zeros).
        let poolPositions = inputIDs.map { row -> Int in
            if configuration.endOfTextTokenID == 2 {
                var best = 0
                for (index, id) in row.enumerated() where id > row[best] { best = index }
                return best
            }
            return row.firstIndex(of: configuration.endOfTextTokenID) ?? 0
        }
        let pooled = last.reshaped([batch * length, hiddenSize])
            .gatherRows(poolPositions.enumerated().map { row, position in row * length + position })
        return Output(lastHiddenState: last, pooledOutput: pooled)
    }
}

/// transformers' `CLIPEncoderLayer`: pre-norm causal self-attention (`self_attn.{q,k,v,out}_proj`)
/// and MLP (`mlp.fc1`, activation, `mlp.fc2`), each residual.
struct CLIPEncoderLayer: Sendable {
    let layerNorm1: LayerNorm, layerNorm2: LayerNorm
    let queryProjection: Linear, keyProjection: Linear, valueProjection: Linear, outProjection: Linear
    let fc1: Linear, fc2: Linear
    let activation: Activation
    let heads: Int

    init(_ store: ParameterStore, _ path: KeyPath, configuration: CLIPTextConfiguration, activation: Activation) throws {
        let hidden = configuration.hiddenSize
        layerNorm1 = try LayerNorm(store, path.appending("layer_norm1"), features: hidden, epsilon: configuration.layerNormEpsilon)
        queryProjection = try Linear(store, path.appending("self_attn", "q_proj"), inFeatures: hidden, outFeatures: hidden)
        keyProjection = try Linear(store, path.appending("self_attn", "k_proj"), inFeatures: hidden, outFeatures: hidden)
        valueProjection = try Linear(store, path.appending("self_attn", "v_proj"), inFeatures: hidden, outFeatures: hidden)
        outProjection = try Linear(store, path.appending("self_attn", "out_proj"), inFeatures: hidden, outFeatures: hidden)
        layerNorm2 = try LayerNorm(store, path.appending("layer_norm2"), features: hidden, epsilon: configuration.layerNormEpsilon)
        fc1 = try Linear(store, path.appending("mlp", "fc1"), inFeatures: hidden, outFeatures: configuration.intermediateSize)
        fc2 = try Linear(store, path.appending("mlp", "fc2"), inFeatures: configuration.intermediateSize, outFeatures: hidden)
        self.activation = activation
        heads = configuration.attentionHeadCount
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        let normed = layerNorm1(input)
        let attended = outProjection(Tensor.attention(query: queryProjection(normed), key: keyProjection(normed),
                                                      value: valueProjection(normed), heads: heads, causal: true))
        attended.addInPlace(input)
        let output = fc2(fc1(layerNorm2(attended)).activated(activation))
        output.addInPlace(attended)
        return output
    }
}
