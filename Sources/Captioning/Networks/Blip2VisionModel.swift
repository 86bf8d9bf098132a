import DiffusionModels
import TensorRuntime

// Port of transformers 5.24 `Blip2VisionModel` (models/blip_2/modeling_blip_2.py):
// `Blip2VisionEmbeddings` (patch convolution, class token, learned positions; no interpolation),
// `Blip2EncoderLayer` (pre-norm; `Blip2Attention` with one fused `qkv` projection whose bias is
// [q_bias, 0, v_bias]; `Blip2MLP`) and the post layer norm.

/// BLIP-2's vision transformer: pixel values [1, 3, S, S] -> image embeddings [1, 1 + (S/P)^2, D].
public struct Blip2VisionModel: Sendable {
    public let configuration: Blip2VisionConfiguration
    let classEmbedding: Tensor
    let patchEmbedding: Conv2d
    let positionEmbedding: Tensor
    let layers: [Blip2VisionEncoderLayer]
    let postLayerNorm: LayerNorm

    /// Takes the weights under `root` (`vision_model`) from `store`.
    public init(configuration: Blip2VisionConfiguration, store: ParameterStore, root: KeyPath) throws {
        self.configuration = configuration
        let width = configuration.hiddenSize
        let embeddings = root.appending("embeddings")
        classEmbedding = try store.take(embeddings.key("class_embedding"), shape: [1, 1, width])
        patchEmbedding = try Conv2d(store, embeddings.appending("patch_embedding"), inChannels: 3, outChannels: width,
                                    kernelSize: configuration.patchSize, stride: configuration.patchSize)
        let positions = configuration.gridSize * configuration.gridSize + 1
        positionEmbedding = try store.take(embeddings.key("position_embedding"), shape: [1, positions, width])
        layers = try (0..<configuration.layerCount).map {
            try Blip2VisionEncoderLayer(configuration: configuration, store: store, root: root.appending("encoder", "layers", $0))
        }
        postLayerNorm = try LayerNorm(store, root.appending("post_layernorm"), features: width, epsilon: configuration.layerNormEpsilon)
    }

    /// The last hidden state after the post layer norm, [1, 1 + patches, D] (what
    /// `Blip2ForConditionalGeneration.generate` feeds the Q-Former).
    public func callAsFunction(_ pixelValues: Tensor) throws -> Tensor {
        let size = configuration.imageSize
        guard pixelValues.shape == [1, 3, size, size] else {
            throw ModelLoadingError.invalidInput(name: "pixel_values", reason: "has shape \(pixelValues.shape), expected [1, 3, \(size), \(size)]")
        }
        let width = configuration.hiddenSize
        let patches = patchEmbedding(pixelValues).channelsLast().reshaped([configuration.gridSize * configuration.gridSize, width])
        var hidden = Tensor.concatenateOuter([classEmbedding.reshaped([1, width]), patches])
            + positionEmbedding.reshaped([patches.shape[0] + 1, width])
        for layer in layers {
            try Task.checkCancellation()
            hidden = layer(hidden)
        }
        return postLayerNorm(hidden).reshaped([1, hidden.shape[0], width])
    }
}

/// `Blip2EncoderLayer`: x + attention(norm1(x)), then + mlp(norm2(...)), over [tokens, D].
struct Blip2VisionEncoderLayer: Sendable {
    let layerNorm1: LayerNorm
    let queryKeyValue: Linear
    let projection: Linear
    let layerNorm2: LayerNorm
    let fullyConnected1: Linear
    let fullyConnected2: Linear
    let activation: Activation
    let headCount: Int

    init(configuration: Blip2VisionConfiguration, store: ParameterStore, root: KeyPath) throws {
        let width = configuration.hiddenSize
        layerNorm1 = try LayerNorm(store, root.appending("layer_norm1"), features: width, epsilon: configuration.layerNormEpsilon)
        queryKeyValue = try Linear(store, root.appending("self_attn", "qkv"), inFeatures: width, outFeatures: 3 * width,
                                   bias: configuration.queryValueBias)
        projection = try Linear(store, root.appending("self_attn", "projection"), inFeatures: width, outFeatures: width)
        layerNorm2 = try LayerNorm(store, root.appending("layer_norm2"), features: width, epsilon: configuration.layerNormEpsilon)
        fullyConnected1 = try Linear(store, root.appending("mlp", "fc1"), inFeatures: width, outFeatures: configuration.intermediateSize)
        fullyConnected2 = try Linear(store, root.appending("mlp", "fc2"), inFeatures: configuration.intermediateSize, outFeatures: width)
        activation = Activation(rawValue: configuration.activation) ?? .gelu
        headCount = configuration.headCount
    }

    func callAsFunction(_ hidden: Tensor) -> Tensor {
        let tokens = hidden.shape[0], width = hidden.shape[1]
        // [tokens, 3D] -> [tokens, 3, D]: the fused projection's query, key and value columns.
        let mixed = queryKeyValue(layerNorm1(hidden)).reshaped([tokens, 3, width])
        let query = mixed.selecting(index: 0, alongDimension: 1).reshaped([1, tokens, width])
        let key = mixed.selecting(index: 1, alongDimension: 1).reshaped([1, tokens, width])
        let value = mixed.selecting(index: 2, alongDimension: 1).reshaped([1, tokens, width])
        let attended = Tensor.attention(query: query, key: key, value: value, heads: headCount).reshaped([tokens, width])
        let afterAttention = projection(attended) + hidden
        return fullyConnected2(fullyConnected1(layerNorm2(afterAttention)).activated(activation)) + afterAttention
    }
}
