import DiffusionModels
import Foundation
import SemanticDraw
import TensorRuntime
import Testing
import Tokenizer

/// SD3's text conditioning without T5 (``SD3TextConditioning``) from the two tokenizers and the two
/// `CLIPTextModelWithProjection` encoders, against diffusers 0.42.1
/// `StableDiffusion3Pipeline.encode_prompt(..., text_encoder_3=None)` on tiny encoders
/// (`Tests/Fixtures/sd3/conditioning`, Tools/make_sd3_fixtures.py; transformers 5.24.0).
/// Token ids must be equal; embeddings within 1e-4 (measured ~1e-6); the padding channels and
/// the 256 T5 tokens exactly 0.
@Suite struct SD3ConditioningTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sd3/conditioning").path
    static let jointAttentionDimension = 24

    struct Encoded { let context: Tensor, pooled: Tensor, ids1: [Int], ids2: [Int] }

    static func encode(_ prompts: [String]) throws -> Encoded {
        let tokenizer1 = try CLIPTokenizer(folder: folder, subfolder: "tokenizer")
        let tokenizer2 = try CLIPTokenizer(folder: folder, subfolder: "tokenizer_2")
        let encoder1 = try CLIPTextModel(folder: folder, subfolder: "text_encoder")
        let encoder2 = try CLIPTextModel(folder: folder, subfolder: "text_encoder_2")
        let ids1 = tokenizer1(prompts).map(\.ids), ids2 = tokenizer2(prompts).map(\.ids)
        let first = try encoder1(inputIDs: ids1), second = try encoder2(inputIDs: ids2)
        let context = try SD3TextConditioning.context(firstPenultimate: first.penultimateHiddenState,
                                                      secondPenultimate: second.penultimateHiddenState,
                                                      jointAttentionDimension: jointAttentionDimension)
        let pooled = try SD3TextConditioning.pooled(firstTextEmbeds: try #require(first.textEmbeds),
                                                    secondTextEmbeds: try #require(second.textEmbeds))
        return Encoded(context: context, pooled: pooled, ids1: ids1.flatMap { $0 }, ids2: ids2.flatMap { $0 })
    }

    static func largestDifference(_ actual: Tensor, _ expected: Tensor) -> Float {
        precondition(actual.shape == expected.shape, "\(actual.shape) vs \(expected.shape)")
        return zip(actual.scalars, expected.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test(arguments: [false, true])
    func matchesEncodePrompt(negative: Bool) throws {
        let reference = try SafeTensorsFile(path: Self.folder + "/reference.safetensors")
        struct Metadata: Decodable { let prompts: [String], negative_prompts: [String] }
        let metadata = try JSONDecoder().decode(Metadata.self, from: Data((reference.metadata["fixture"] ?? "{}").utf8))
        let prefix = negative ? "negative_" : ""
        let encoded = try Self.encode(negative ? metadata.negative_prompts : metadata.prompts)
        #expect(encoded.ids1 == (try reference.integerTensor(prefix + "input_ids_1")).values.map { Int($0) })
        #expect(encoded.ids2 == (try reference.integerTensor(prefix + "input_ids_2")).values.map { Int($0) })
        let expectedContext = try reference.tensor(prefix + "prompt_embeds")
        let expectedPooled = try reference.tensor(prefix + "pooled_prompt_embeds")
        try #require(encoded.context.shape == expectedContext.shape && encoded.context.shape == [2, 77 + 256, 24])
        try #require(encoded.pooled.shape == expectedPooled.shape && encoded.pooled.shape == [2, 20])
        let contextDifference = Self.largestDifference(encoded.context, expectedContext)
        let pooledDifference = Self.largestDifference(encoded.pooled, expectedPooled)
        print("sd3 conditioning \(negative ? "negative" : "positive"): context max-abs \(contextDifference), pooled max-abs \(pooledDifference)")
        #expect(contextDifference < 1e-4 && pooledDifference < 1e-4)
        // Channels 20..<24 and tokens 77..<333 are exactly zero.
        let values = encoded.context.scalars
        for sample in 0..<2 {
            for token in 0..<333 {
                for channel in 0..<24 where token >= 77 || channel >= 20 {
                    if values[(sample * 333 + token) * 24 + channel] != 0 {
                        Issue.record("context[\(sample), \(token), \(channel)] is not 0")
                        return
                    }
                }
            }
        }
    }

    /// The same through ``PromptEncoder`` in SD3 mode (text prompts, both tokenizers), the
    /// path generation takes.
    @Test func promptEncoderInSD3ModeMatchesEncodePrompt() throws {
        let reference = try SafeTensorsFile(path: Self.folder + "/reference.safetensors")
        struct Metadata: Decodable { let prompts: [String] }
        let metadata = try JSONDecoder().decode(Metadata.self, from: Data((reference.metadata["fixture"] ?? "{}").utf8))
        let second = PromptEncoder.SecondEncoder(tokenizer: try CLIPTokenizer(folder: Self.folder, subfolder: "tokenizer_2"),
                                                 textEncoder: try CLIPTextModel(folder: Self.folder, subfolder: "text_encoder_2"))
        let encoder = PromptEncoder(tokenizer: try CLIPTokenizer(folder: Self.folder, subfolder: "tokenizer"),
                                    textEncoder: try CLIPTextModel(folder: Self.folder, subfolder: "text_encoder"), second: second,
                                    sd3Layout: PromptEncoder.SD3Layout(jointAttentionDimension: Self.jointAttentionDimension))
        #expect(encoder.contextDimension == 24 && encoder.pooledDimension == 20)
        let conditioning = try encoder.encode(metadata.prompts.map(PromptInput.text))
        let context = Self.largestDifference(conditioning.context, try reference.tensor("prompt_embeds"))
        let pooled = Self.largestDifference(try #require(conditioning.pooled), try reference.tensor("pooled_prompt_embeds"))
        print("sd3 prompt encoder: context max-abs \(context), pooled max-abs \(pooled)")
        #expect(context < 1e-4 && pooled < 1e-4)
    }

    @Test func mismatchedStatesAreNamed() throws {
        #expect(throws: ModelLoadingError.self) {
            _ = try SD3TextConditioning.context(firstPenultimate: Tensor.zeros([1, 77, 16]), secondPenultimate: Tensor.zeros([1, 76, 8]),
                                                jointAttentionDimension: 32)
        }
        let wide = #expect(throws: ModelLoadingError.self) {
            _ = try SD3TextConditioning.context(firstPenultimate: Tensor.zeros([1, 77, 16]), secondPenultimate: Tensor.zeros([1, 77, 20]),
                                                jointAttentionDimension: 32)
        }
        #expect(String(describing: wide).contains("joint_attention_dim 32"))
        #expect(throws: ModelLoadingError.self) {
            _ = try SD3TextConditioning.pooled(firstTextEmbeds: Tensor.zeros([2, 8]), secondTextEmbeds: Tensor.zeros([1, 12]))
        }
    }
}
