import TensorRuntime

/// transformers' `CLIPTextModel` and `CLIPTextModelWithProjection` (models/clip/modeling_clip.py,
/// transformers 5.24): token and position embeddings, pre-norm encoder layers with causal
/// self-attention, final layer norm, and — when the weights hold `text_projection.weight`
/// (SDXL's second text encoder) — the projection of the pooled output.
/// Returns the last and penultimate hidden states, the pooled output and its projection.
public struct CLIPTextModel: Sendable {
    /// The decoded configuration.
    public let configuration: CLIPTextConfiguration
    let tokenEmbedding: Tensor, positionEmbedding: Tensor
    let layers: [CLIPEncoderLayer]
    let finalLayerNorm: LayerNorm
    /// `text_projection` (no bias, hidden -> `projection_dim`) of `CLIPTextModelWithProjection`.
    let textProjection: Linear?

    /// The outputs of the text encoder.
    public struct Output: Sendable {
        /// [B, L, hidden]
        public let lastHiddenState: Tensor
        /// [B, hidden]: the final state at the end-of-text token of each sequence.
        public let pooledOutput: Tensor
        /// [B, L, hidden]: transformers' `hidden_states[-2]`, the output of the second-to-last
        /// encoder layer (the token embeddings with one layer), before the final layer norm.
        /// SDXL conditions on this state of both encoders.
        public let penultimateHiddenState: Tensor
        /// [B, projection_dim]: `text_projection(pooledOutput)`, transformers'
        /// `CLIPTextModelWithProjection` `text_embeds`; nil without a projection.
        public let textEmbeds: Tensor?
    }

    /// Whether the model has `text_projection` (and so returns ``Output/textEmbeds``).
    public var hasTextProjection: Bool { textProjection != nil }

    /// Loads from a component folder (`config.json` + `model.safetensors`) or a pipeline folder
    /// with `subfolder/` (`text_encoder`, or `text_encoder_2` for SDXL's second encoder).
    /// `overrides` replace weights by key (fused LoRAs).
    public init(folder: String, subfolder: String = "text_encoder", overrides: [String: Tensor] = [:]) throws {
        let component = try ComponentFolder(path: folder, subfolder: subfolder, weightBaseName: "model")
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

    /// The key of `CLIPTextModelWithProjection`'s projection weight. transformers 4.x and 5.x
    /// both save it at the top level, beside `text_model.`.
    public static let textProjectionKey = "text_projection.weight"

    /// Builds the network from `store`, taking every parameter under its transformers key
    /// below `root` (see ``keyRoot(of:)``), and `text_projection.weight` when `withProjection`
    /// says so (nil: when the store holds it; a random-weights store holds no keys, so
    /// full-size benches of `CLIPTextModelWithProjection` pass true).
    public init(configuration: CLIPTextConfiguration, store: ParameterStore, root: KeyPath = KeyPath("text_model"),
                withProjection: Bool? = nil) throws {
        self.configuration = configuration
        let hidden = configuration.hiddenSize
        tokenEmbedding = try store.take(root.key("embeddings.token_embedding.weight"), shape: [configuration.vocabularySize, hidden])
        positionEmbedding = try store.take(root.key("embeddings.position_embedding.weight"), shape: [configuration.maximumPositionEmbeddings, hidden])
        let activation = Activation(rawValue: configuration.hiddenActivation) ?? .quickGELU
        layers = try (0..<configuration.hiddenLayerCount).map { index in
            try CLIPEncoderLayer(store, root.appending("encoder", "layers", index), configuration: configuration, activation: activation)
        }
        finalLayerNorm = try LayerNorm(store, root.appending("final_layer_norm"), features: hidden, epsilon: configuration.layerNormEpsilon)
        textProjection = withProjection ?? store.keys.contains(Self.textProjectionKey)
            ? try Linear(store, KeyPath("text_projection"), inFeatures: hidden, outFeatures: configuration.projectionDimension, bias: false)
            : nil
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
        var penultimate = hidden
        for layer in layers {
            try Task.checkCancellation()
            penultimate = hidden
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
        return Output(lastHiddenState: last, pooledOutput: pooled, penultimateHiddenState: penultimate,
                      textEmbeds: textProjection.map { $0(pooled) })
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
