import DiffusionModels
import TensorRuntime

// Port of transformers 5.24 `Blip2ForConditionalGeneration` (models/blip_2/modeling_blip_2.py)
// with a decoder-only (OPT) language model: `get_image_features` (vision model -> Q-Former over
// the learned query tokens -> `language_projection`), the placeholder scatter of `forward` /
// `generate` (each `<image>` id's embedding replaced, in order, by one projected query), and the
// language model.

/// BLIP-2 with OPT: image + prompt ids -> next-token logits.
public struct Blip2ForConditionalGeneration: Sendable {
    public let configuration: Blip2Configuration
    public let visionModel: Blip2VisionModel
    /// `query_tokens` [1, Q, Dq].
    let queryTokens: Tensor
    public let qformer: Blip2QFormerModel
    let languageProjection: Linear
    public let languageModel: OPTDecoder

    /// Takes every weight from `store` under transformers' keys (`vision_model.`, `query_tokens`,
    /// `qformer.`, `language_projection.`, `language_model.`).
    public init(configuration: Blip2Configuration, store: ParameterStore) throws {
        self.configuration = configuration
        visionModel = try Blip2VisionModel(configuration: configuration.vision, store: store, root: KeyPath("vision_model"))
        queryTokens = try store.take("query_tokens", shape: [1, configuration.queryTokenCount, configuration.qformer.hiddenSize])
        qformer = try Blip2QFormerModel(configuration: configuration.qformer, store: store, root: KeyPath("qformer"))
        languageProjection = try Linear(store, KeyPath("language_projection"), inFeatures: configuration.qformer.hiddenSize,
                                        outFeatures: configuration.text.hiddenSize)
        languageModel = try OPTDecoder(configuration: configuration.text, store: store, root: KeyPath("language_model"))
    }

    /// The image side of the model for one image.
    public struct ImageFeatures: Sendable {
        /// Vision transformer output [1, 1 + patches, Dv].
        public let imageEmbeddings: Tensor
        /// Q-Former output [1, Q, Dq].
        public let queryOutput: Tensor
        /// `language_projection(queryOutput)` [1, Q, Dt]: what replaces the `<image>` tokens.
        public let languageModelInputs: Tensor
    }

    /// `get_image_features` for `pixelValues` [1, 3, S, S].
    public func imageFeatures(_ pixelValues: Tensor) throws -> ImageFeatures {
        let imageEmbeddings = try visionModel(pixelValues)
        let queryOutput = try qformer(queryTokens: queryTokens, imageEmbeddings: imageEmbeddings)
        let projected = languageProjection(queryOutput.reshaped([configuration.queryTokenCount, configuration.qformer.hiddenSize]))
        return ImageFeatures(imageEmbeddings: imageEmbeddings, queryOutput: queryOutput,
                             languageModelInputs: projected.reshaped([1, configuration.queryTokenCount, configuration.text.hiddenSize]))
    }

    /// The language model's input embeddings [n, Dt] for `ids`: token embeddings, with the k-th
    /// `<image>` id's row replaced by the k-th projected query (there must be exactly Q of them).
    public func inputEmbeddings(ids: [Int], features: ImageFeatures) throws -> Tensor {
        guard let imageTokenId = configuration.imageTokenId else {
            throw ModelLoadingError.invalidConfiguration(file: "config.json", field: "image_token_index",
                                                         reason: "is missing: this BLIP-2 config predates image tokens in the prompt")
        }
        let imagePositions = ids.indices.filter { ids[$0] == imageTokenId }
        guard imagePositions.count == configuration.queryTokenCount else {
            throw ModelLoadingError.invalidInput(name: "input_ids", reason: "holds \(imagePositions.count) image tokens (id \(imageTokenId)), the image gives \(configuration.queryTokenCount)")
        }
        let queries = features.languageModelInputs.reshaped([configuration.queryTokenCount, configuration.text.hiddenSize])
        // Runs of text ids and of image ids, in order, each embedded as a block.
        var parts: [Tensor] = []
        var nextQuery = 0
        var start = 0
        while start < ids.count {
            let isImage = ids[start] == imageTokenId
            var end = start
            while end < ids.count && (ids[end] == imageTokenId) == isImage { end += 1 }
            if isImage {
                parts.append(queries.slice(outer: nextQuery, length: end - start))
                nextQuery += end - start
            } else {
                parts.append(try languageModel.embeddings(of: Array(ids[start..<end])))
            }
            start = end
        }
        return parts.count == 1 ? parts[0] : Tensor.concatenateOuter(parts)
    }

    /// `forward(...).logits` for the whole prompt: [1, n, vocabulary].
    public func logits(ids: [Int], features: ImageFeatures) throws -> Tensor {
        var cache = OPTKeyValueCache()
        let logits = try languageModel.logits(try inputEmbeddings(ids: ids, features: features), cache: &cache)
        return logits.reshaped([1] + logits.shape)
    }

    /// Greedy decoding as `generate(do_sample=False, num_beams=1, max_new_tokens:)` does it: the
    /// prompt runs once into the key/value cache, then each step appends the arg-max token
    /// (the first among equal logits, as `torch.argmax`) and runs only it. Stops after
    /// `maximumNewTokens` or at an id of `endTokenIds`, which is kept. Returns the new ids only.
    /// Throws `CancellationError` between steps once the calling task is cancelled.
    public func generate(ids: [Int], features: ImageFeatures, maximumNewTokens: Int, endTokenIds: [Int]) throws -> [Int] {
        guard maximumNewTokens > 0 else { return [] }
        var cache = OPTKeyValueCache()
        var logits = try languageModel.logits(try inputEmbeddings(ids: ids, features: features), cache: &cache, lastOnly: true)
        var newIds: [Int] = []
        while true {
            let next = Self.argmax(logits)
            newIds.append(next)
            if endTokenIds.contains(next) || newIds.count == maximumNewTokens { return newIds }
            try Task.checkCancellation()                    // a caption nobody waits for any more stops here
            logits = try languageModel.logits(try languageModel.embeddings(of: [next]), cache: &cache, lastOnly: true)
        }
    }

    /// The index of the largest value (the first of equal ones).
    static func argmax(_ logits: Tensor) -> Int {
        logits.withUnsafeHostElements { values in
            var best = 0
            for index in values.indices where values[index] > values[best] { best = index }
            return best
        }
    }
}
