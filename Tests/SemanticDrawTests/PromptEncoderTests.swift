import DiffusionModels
import Foundation
import SemanticDraw
import TensorRuntime
import Testing

/// Prompt encoding against diffusers 0.42.1 `StableDiffusionPipeline.encode_prompt` with
/// classifier-free guidance (Tools/make_prompt_fixtures.py): a tiny text encoder over the real
/// CLIP vocabulary and the real tokenizer tables, prompts with Unicode, emoji and more than 77
/// tokens, and negative prompts including an empty one. Tolerance 1e-5 max-abs.
@Suite struct PromptEncoderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A pipeline folder: `tokenizer/` copied from the tokenizer fixture, `text_encoder/` linked.
    static func makePipelineFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-prompt-\(UUID().uuidString)")
        let tokenizer = folder.appendingPathComponent("tokenizer")
        try FileManager.default.createDirectory(at: tokenizer, withIntermediateDirectories: true)
        for name in ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("clip-tokenizer/\(name)"),
                                             to: tokenizer.appendingPathComponent(name))
        }
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("text_encoder"),
                                                   withDestinationURL: fixtures.appendingPathComponent("prompt-encoder/text_encoder"))
        return folder
    }

    static func prompts(_ key: String, in file: SafeTensorsFile) throws -> [String] {
        let data = Data((file.metadata[key] ?? "[]").utf8)
        return try JSONDecoder().decode([String].self, from: data)
    }

    @Test func matchesDiffusersEncodePrompt() throws {
        let folder = try Self.makePipelineFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = try SafeTensorsFile(path: Self.fixtures.appendingPathComponent("prompt-encoder/reference.safetensors").path)
        let prompts = try Self.prompts("prompts", in: reference)
        let negatives = try Self.prompts("negative_prompts", in: reference)
        let encoder = try PromptEncoder(modelFolder: folder.path)

        // The token ids first: the tokenizer is what differs most easily.
        let ids = try reference.integerTensor("input_ids")
        let tokenizer = try #require(encoder.tokenizer)
        let tokenized = tokenizer(prompts + negatives, maximumLength: 77, padding: true)
        #expect(tokenized.flatMap(\.ids).map(Int64.init) == ids.values)

        let embeddings = try encoder.encodeForGuidance(prompts: prompts, negativePrompts: negatives)
        for (name, actual) in [("conditional", embeddings.conditional.hiddenStates), ("unconditional", embeddings.unconditional.hiddenStates)] {
            let expected = try reference.tensor(name)
            try #require(actual.shape == expected.shape, "\(name): \(actual.shape) vs \(expected.shape)")
            var worst: Float = 0
            let actualValues = actual.scalars, expectedValues = expected.scalars
            for index in 0..<expected.count { worst = max(worst, abs(actualValues[index] - expectedValues[index])) }
            print("prompt encoding \(name): max-abs \(worst)")
            #expect(worst < 1e-5, "\(name): max-abs \(worst)")
        }
        // The pipelines' entry point (PromptInput -> TextConditioning) gives the same context.
        // (The same batch on both paths: a GEMM's round-off may depend on how many rows it has.)
        let conditioning = try encoder.encode((prompts + negatives).map(PromptInput.text))
        #expect(conditioning.pooled == nil && conditioning.extras.isEmpty, "SD1.x conditioning is the token context only")
        #expect(conditioning.context.scalars == (try encoder.encode(prompts + negatives)).hiddenStates.scalars)
        #expect(embeddings.conditional.truncatedPrompts == [2], "the third prompt is longer than 77 tokens")
        #expect(embeddings.unconditional.truncatedPrompts.isEmpty)
    }

    @Test func rejectsMoreNegativesThanPrompts() throws {
        let folder = try Self.makePipelineFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let encoder = try PromptEncoder(modelFolder: folder.path)
        #expect(throws: ModelLoadingError.self) {
            try encoder.encodeForGuidance(prompts: ["a cat"], negativePrompts: ["blurry", "dark"])
        }
        #expect(throws: ModelLoadingError.self) { try encoder.encode([] as [String]) }
    }

    @Test func missingTokenizerNamesTheFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try PromptEncoder(modelFolder: folder.path)
            Issue.record("loading an empty folder succeeded")
        } catch {
            #expect(String(describing: error).contains(folder.lastPathComponent), "\(error)")
        }
    }
}
