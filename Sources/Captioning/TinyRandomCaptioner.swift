import DiffusionModels
import TensorRuntime
import Tokenizer

/// `tiny-random` as a captioner: a BLIP-2 OPT architecture small enough to build in memory in a
/// fraction of a second (vision 224 px in 32 px patches, width 32, 2 layers; Q-Former width 32,
/// 2 layers, 8 queries; OPT width 32, 2 layers), with weights from ``ParameterStore``'s seeded
/// random stream and a byte-level tokenizer (OPT's special tokens, 256 bytes, `<image>`; no
/// merges). Its captions are meaningless bytes: it exists for offline tests, demos and the
/// browser test. Like blip2-opt-2.7b, a newline ends a caption.
public enum TinyRandomCaptioner {
    /// The captioner's name on the command line (`--captioner tiny-random`).
    public static let name = "tiny-random"

    /// What commands print when they use it.
    public static let warning = "tiny-random captioner: random weights, captions are meaningless"

    /// The configuration (special tokens 0-3, bytes 4-259, `<image>` 260).
    public static let configuration: Blip2Configuration = {
        var vision = Blip2VisionConfiguration()
        vision.hiddenSize = 32
        vision.intermediateSize = 64
        vision.layerCount = 2
        vision.headCount = 4
        vision.patchSize = 32
        var qformer = Blip2QFormerConfiguration()
        qformer.hiddenSize = 32
        qformer.intermediateSize = 64
        qformer.layerCount = 2
        qformer.headCount = 4
        qformer.encoderHiddenSize = 32
        var text = OPTConfiguration()
        text.vocabularySize = 261
        text.hiddenSize = 32
        text.projectionDimension = 32
        text.layerCount = 2
        text.feedForwardSize = 64
        text.headCount = 4
        text.maximumPositionEmbeddings = 128
        return Blip2Configuration(vision: vision, qformer: qformer, text: text, queryTokenCount: 8, imageTokenId: 260)
    }()

    /// Builds the captioner (no files are read). The same seed gives the same weights everywhere.
    public static func make(seed: UInt64 = 15) throws -> Blip2Captioner {
        let model = try Blip2ForConditionalGeneration(configuration: configuration, store: ParameterStore(randomWeightsSeed: seed))
        let tokenizer: GPT2Tokenizer
        do {
            tokenizer = try GPT2Tokenizer.byteLevel(specialTokens: ["<s>", "<pad>", "</s>", "<unk>"], addedTokens: ["<image>"],
                                                    prefixTokens: ["</s>"])
        } catch {
            throw CaptioningError.tokenizer(error)
        }
        // The newline byte's symbol, "Ċ", as blip2-opt-2.7b's eos 50118.
        let newline = tokenizer.id(of: "\u{010A}") ?? 2
        return Blip2Captioner(model: model, processor: BlipImageProcessor(), tokenizer: tokenizer,
                              generation: GenerationConfiguration(endTokenIds: [newline]))
    }
}
