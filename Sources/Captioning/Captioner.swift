import DiffusionModels
import Foundation
import ImageCodecs
import TensorRuntime
import Tokenizer

/// A caption: the newly generated ids (not the prompt's) and their text, decoded with special
/// tokens skipped and stripped of surrounding whitespace, as the SemanticDraw authors' app
/// takes it (`processor.batch_decode(ids, skip_special_tokens=True)[0].strip()`).
public struct Caption: Sendable, Equatable, Codable {
    public let ids: [Int]
    public let text: String

    public init(ids: [Int], text: String) {
        self.ids = ids
        self.text = text
    }
}

/// BLIP-2 image captioning as transformers 5.24 runs `Blip2Processor` + `Blip2ForConditionalGeneration.generate`
/// greedily: the image processor, the OPT tokenizer (with `num_query_tokens` `<image>` tokens
/// before the prompt's ids), the model, and the folder's generation config.
///
/// A folder holds `config.json`, `generation_config.json`, the weights (`model.safetensors`, or
/// shards with `model.safetensors.index.json`; memory-mapped, float32 weights used in place),
/// `tokenizer.json` and `processor_config.json` (or `preprocessor_config.json`).
public struct Blip2Captioner: Sendable {
    /// The question the SemanticDraw authors' app asks (`get_text_prompts`).
    public static let defaultPrompt = "Question: What are in the image? Answer:"
    /// The number of new tokens the authors' app allows.
    public static let defaultMaximumNewTokens = 77

    public let model: Blip2ForConditionalGeneration
    public let processor: BlipImageProcessor
    public let tokenizer: GPT2Tokenizer
    public let generation: GenerationConfiguration

    /// Assembles a captioner from its parts.
    public init(model: Blip2ForConditionalGeneration, processor: BlipImageProcessor, tokenizer: GPT2Tokenizer,
                generation: GenerationConfiguration) {
        self.model = model
        self.processor = processor
        self.tokenizer = tokenizer
        self.generation = generation
    }

    /// Loads a BLIP-2 OPT folder (a hub snapshot of Salesforce/blip2-opt-2.7b, or a folder saved by
    /// transformers). Loading is strict: every weight must be used and have the shape the config implies.
    public init(folder: String) throws {
        let configuration = try Blip2Configuration.read(folder: folder)
        let component = try ComponentFolder(path: folder, subfolder: ".", weightBaseName: "model", allowsShards: true)
        let store: ParameterStore
        if let index = component.shardIndexPath {
            store = try ShardedWeights(indexPath: index).parameterStore()
        } else {
            store = try ParameterStore(path: component.weightsPath)
        }
        let model = try Blip2ForConditionalGeneration(configuration: configuration, store: store)
        try store.finish()
        let tokenizer: GPT2Tokenizer
        do {
            tokenizer = try GPT2Tokenizer(folder: folder)
        } catch {
            throw CaptioningError.tokenizer(error)
        }
        self.init(model: model, processor: try BlipImageProcessor(folder: folder), tokenizer: tokenizer,
                  generation: try GenerationConfiguration(folder: folder, fallbackEndTokenId: configuration.text.endTokenId))
    }

    /// The language model's prompt ids for `prompt`, as `Blip2Processor` builds them: Q `<image>`
    /// ids, then the tokenizer's ids of the prompt (bos first). Without a prompt, as `generate`
    /// builds them: Q `<image>` ids and the language model's bos.
    public func inputIds(prompt: String?) throws -> [Int] {
        guard let imageTokenId = model.configuration.imageTokenId else {
            throw ModelLoadingError.invalidConfiguration(file: "config.json", field: "image_token_index", reason: "is missing")
        }
        let imageIds = Array(repeating: imageTokenId, count: model.configuration.queryTokenCount)
        guard let prompt else { return imageIds + [model.configuration.text.beginTokenId] }
        return imageIds + tokenizer.encode(prompt)
    }

    /// Captions `image` (grey, RGB or RGBA): greedy decoding of at most `maximumNewTokens` new
    /// tokens after `prompt` (nil: no prompt), stopping at the generation config's end token
    /// (or `endTokenIds` when given).
    public func caption(_ image: Image, prompt: String? = Blip2Captioner.defaultPrompt,
                        maximumNewTokens: Int = Blip2Captioner.defaultMaximumNewTokens, endTokenIds: [Int]? = nil) throws -> Caption {
        let features = try model.imageFeatures(processor(image))
        let ids = try model.generate(ids: try inputIds(prompt: prompt), features: features, maximumNewTokens: maximumNewTokens,
                                     endTokenIds: endTokenIds ?? generation.endTokenIds)
        return Caption(ids: ids, text: Self.pythonStripped(tokenizer.decode(ids, skipSpecialTokens: true)))
    }

    /// `text.strip()` as Python does it: without leading and trailing `str.isspace` characters
    /// (Unicode White_Space, and the separators U+001C-U+001F).
    static func pythonStripped(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value) }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[first...last])
        return String(result)
    }
}
