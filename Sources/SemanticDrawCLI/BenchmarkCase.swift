import Captioning
import DiffusionModels
import Foundation
import TensorRuntime

/// One benchmark: a full-size network with random weights on fixed-shape inputs. The same
/// names are understood by `Tools/bench_pytorch.py --case`.
enum BenchmarkCase: String, CaseIterable {
    case unetBatch1 = "unet-b1"
    case unetBatch4 = "unet-b4"
    case clip
    case taesdDecode = "taesd-decode"
    case vaeDecode = "vae-decode"
    case unetXLBatch1 = "unet-xl-b1"
    case unetXLBatch2 = "unet-xl-b2"
    case sd3Transformer = "sd3-transformer"
    case blip2Caption = "blip2-caption"
    case blip2CaptionTiny = "blip2-caption-tiny"
    case attentionXL = "attention-xl"
    case attentionSD3 = "attention-sd3"

    /// New tokens of the caption cases (greedy, no end token: always this many).
    static let captionNewTokens = 16

    /// The cases `bench` runs without `--case`: the SD1.5 ones (the SDXL UNet and the SD3
    /// transformer need about 11 and 9 GB per side and minutes per forward; they run when named).
    static var defaultCases: [BenchmarkCase] { allCases.filter { !$0.isLarge && !$0.isCaption && !$0.isKernel } }

    /// The SDXL, SD3 and BLIP-2 cases: built anew per round and released before PyTorch builds its own.
    var isLarge: Bool { self == .unetXLBatch1 || self == .unetXLBatch2 || self == .sd3Transformer || self == .blip2Caption }

    /// The single-kernel cases (run only when named): one attention call at a full-size model's shape.
    var isKernel: Bool { self == .attentionXL || self == .attentionSD3 }

    /// The captioning cases (run only when named; they report each side's peak RSS too).
    var isCaption: Bool { self == .blip2Caption || self == .blip2CaptionTiny }

    var summary: String {
        switch self {
        case .unetBatch1: return "SD1.5 UNet forward, [1,4,64,64], context [1,77,768]"
        case .unetBatch4: return "SD1.5 UNet forward, [4,4,64,64], per-sample timesteps"
        case .clip: return "SD1.5 CLIP text encoder, 77 tokens"
        case .taesdDecode: return "TAESD decode, [1,4,64,64] -> 512x512"
        case .vaeDecode: return "SD1.5 VAE decode, [1,4,64,64] -> 512x512"
        case .unetXLBatch1: return "SDXL UNet forward, [1,4,128,128], context [1,77,2048], text_embeds [1,1280], time_ids [1,6]"
        case .unetXLBatch2: return "SDXL UNet forward, [2,4,128,128], per-sample timesteps"
        case .sd3Transformer: return "SD3 Medium transformer forward, [1,16,128,128], context [1,333,4096], pooled [1,2048]"
        case .blip2Caption:
            return "BLIP-2 OPT-2.7b caption of one image: pixels [1,3,224,224] -> vision, Q-Former, projection; prompt of 32 image "
                + "ids + 11 text ids; \(Self.captionNewTokens) greedy new tokens with the key/value cache (transformers generate)"
        case .blip2CaptionTiny: return "the same on the tiny-random captioner's architecture (a quick check of the pairing)"
        case .attentionXL: return "SDXL's 64x64 self-attention alone: q, k, v [1,4096,640], 10 heads of 64"
        case .attentionSD3: return "SD3 Medium's joint attention alone: q, k, v [1,4429,1536], 24 heads of 64"
        }
    }

    /// Builds the network (random weights, weight matrices in `precision`) and returns a
    /// closure that runs it once.
    func prepare(precision: Precision = .fp32) throws -> () throws -> Void {
        let store = ParameterStore(randomWeightsSeed: 0)
        store.precision = precision
        var random = TorchGenerator(seed: 1)
        switch self {
        case .unetBatch1, .unetBatch4:
            let unet = try UNet2DConditionModel(configuration: ReferenceConfigurations.stableDiffusion15UNet(), store: store)
            let batch = self == .unetBatch1 ? 1 : 4
            let sample = random.normal(shape: [batch, 4, 64, 64])
            let context = random.normal(shape: [batch, 77, 768])
            let timesteps: [Float] = Array([999, 759, 499, 259].prefix(batch))
            return { _ = try unet(sample: sample, timesteps: timesteps, encoderHiddenStates: context) }
        case .unetXLBatch1, .unetXLBatch2:
            let unet = try UNet2DConditionModel(configuration: ReferenceConfigurations.stableDiffusionXLUNet(), store: store)
            let batch = self == .unetXLBatch1 ? 1 : 2
            let sample = random.normal(shape: [batch, 4, 128, 128])
            let context = random.normal(shape: [batch, 77, 2048])
            let pooled = random.normal(shape: [batch, 1280])
            let timeIDs = Tensor(shape: [batch, 6], values: Array(repeating: [1024, 1024, 0, 0, 1024, 1024] as [Float], count: batch).flatMap { $0 })
            let timesteps: [Float] = Array([999, 759].prefix(batch))
            return { _ = try unet(sample: sample, timesteps: timesteps, encoderHiddenStates: context, textEmbeds: pooled, timeIDs: timeIDs) }
        case .sd3Transformer:
            let transformer = try SD3Transformer2DModel(configuration: ReferenceConfigurations.stableDiffusion3MediumTransformer(), store: store)
            let hidden = random.normal(shape: [1, 16, 128, 128])
            let context = random.normal(shape: [1, 333, 4096])
            let pooled = random.normal(shape: [1, 2048])
            return { _ = try transformer(hiddenStates: hidden, encoderHiddenStates: context, pooledProjections: pooled, timesteps: [999]) }
        case .blip2Caption, .blip2CaptionTiny:
            let configuration = self == .blip2Caption ? Blip2Configuration.blip2OPT27b : TinyRandomCaptioner.configuration
            let model = try Blip2ForConditionalGeneration(configuration: configuration, store: store)
            let side = configuration.vision.imageSize
            let pixels = random.normal(shape: [1, 3, side, side])
            let ids = Self.captionPromptIds(configuration)
            return { _ = try model.generate(ids: ids, features: try model.imageFeatures(pixels), maximumNewTokens: Self.captionNewTokens, endTokenIds: []) }
        case .attentionXL, .attentionSD3:
            let (tokens, heads) = self == .attentionXL ? (4096, 10) : (4429, 24)
            let query = random.normal(shape: [1, tokens, heads * 64])
            let key = random.normal(shape: [1, tokens, heads * 64])
            let value = random.normal(shape: [1, tokens, heads * 64])
            return { _ = Tensor.attention(query: query, key: key, value: value, heads: heads) }
        case .clip:
            let encoder = try CLIPTextModel(configuration: ReferenceConfigurations.stableDiffusion15TextEncoder(), store: store)
            let ids = [[49406] + (0..<75).map { 320 + $0 * 7 } + [49407]]
            return { _ = try encoder(inputIDs: ids) }
        case .taesdDecode:
            let taesd = try AutoencoderTiny(configuration: ReferenceConfigurations.tinyAutoencoder(), store: store)
            let latents = random.normal(shape: [1, 4, 64, 64])
            return { _ = try taesd.decode(latents) }
        case .vaeDecode:
            let vae = try AutoencoderKL(configuration: ReferenceConfigurations.stableDiffusion15Autoencoder(), store: store)
            let latents = random.normal(shape: [1, 4, 64, 64])
            return { _ = try vae.decode(latents) }
        }
    }

    /// The caption cases' prompt: the query count of `<image>` ids, bos (2), then 10 fixed ids
    /// (the length of the authors' question in OPT's tokenizer): `4 + (97 i) mod (vocabulary - 10)`
    /// for i in 0..<10, as Tools/bench_pytorch.py builds them.
    static func captionPromptIds(_ configuration: Blip2Configuration) -> [Int] {
        Array(repeating: configuration.imageTokenId ?? 0, count: configuration.queryTokenCount) + [2]
            + (0..<10).map { 4 + (97 * $0) % (configuration.text.vocabularySize - 10) }
    }
}
