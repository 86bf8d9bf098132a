import Captioning
import DiffusionModels
import Foundation
import Testing

/// Loading a BLIP-2 folder is strict and its errors name the file and the key or field: a copy
/// of the fixture folder is edited one way per test.
@Suite struct LoadingErrorTests {
    /// A temporary copy of Tests/Fixtures/blip2/model with `edit` applied to the JSON file `name`.
    static func editedCopy(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
        let folder = NSTemporaryDirectory() + "blip2-loading-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: CaptioningFixtures.modelFolder, toPath: folder)
        let path = folder + "/" + name
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return folder
    }

    @Test func wrongShapeNamesTheKey() throws {
        let folder = try Self.editedCopy("config.json") { config in
            var vision = config["vision_config"] as? [String: Any] ?? [:]
            vision["hidden_size"] = 48
            config["vision_config"] = vision
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: ModelLoadingError.shapeMismatch(key: "vision_model.embeddings.class_embedding", expected: [1, 1, 48], found: [1, 1, 40],
                                                        file: folder + "/model.safetensors.index.json")) {
            try Blip2Captioner(folder: folder)
        }
    }

    @Test func missingLayerWeightsAreNamed() throws {
        let folder = try Self.editedCopy("config.json") { config in
            var text = config["text_config"] as? [String: Any] ?? [:]
            text["num_hidden_layers"] = 3
            config["text_config"] = text
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: ModelLoadingError.missingParameter(key: "language_model.model.decoder.layers.2.self_attn_layer_norm.weight",
                                                           file: folder + "/model.safetensors.index.json")) {
            try Blip2Captioner(folder: folder)
        }
    }

    @Test func unusedWeightsAreNamed() throws {
        let folder = try Self.editedCopy("config.json") { config in
            var qformer = config["qformer_config"] as? [String: Any] ?? [:]
            qformer["num_hidden_layers"] = 2
            config["qformer_config"] = qformer
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect {
            try Blip2Captioner(folder: folder)
        } throws: { error in
            guard case let ModelLoadingError.unusedParameters(keys, _) = error else { return false }
            return keys.allSatisfy { $0.hasPrefix("qformer.encoder.layer.2.") } && !keys.isEmpty
        }
    }

    @Test func languageModelOtherThanOPTIsRefused() throws {
        let folder = try Self.editedCopy("config.json") { config in
            var text = config["text_config"] as? [String: Any] ?? [:]
            text["model_type"] = "t5"
            config["text_config"] = text
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: ModelLoadingError.unsupportedConfiguration(file: folder + "/config.json", field: "text_config.model_type",
                                                                   value: "\"t5\" (only \"opt\")")) {
            try Blip2Captioner(folder: folder)
        }
    }

    @Test func samplingGenerationConfigIsRefused() throws {
        let folder = try Self.editedCopy("generation_config.json") { $0["do_sample"] = true }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: ModelLoadingError.unsupportedConfiguration(file: folder + "/generation_config.json", field: "do_sample",
                                                                   value: "true (captioning decodes greedily)")) {
            try Blip2Captioner(folder: folder)
        }
    }

    @Test func otherResamplingIsRefused() throws {
        let folder = try Self.editedCopy("processor_config.json") { processor in
            var image = processor["image_processor"] as? [String: Any] ?? [:]
            image["resample"] = 2
            processor["image_processor"] = image
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: ModelLoadingError.unsupportedConfiguration(file: folder + "/processor_config.json", field: "resample",
                                                                   value: "2 (only 3, bicubic)")) {
            try BlipImageProcessor(folder: folder)
        }
    }

    @Test func tooManyImageTokensIsAnError() throws {
        let captioner = try CaptioningFixtures.captioner.get()
        let reference = try #require(CaptioningFixtures.reference)
        let features = try captioner.model.imageFeatures(try CaptioningFixtures.outputs().tensor("pixel_values.0"))
        let ids = try captioner.inputIds(prompt: "a") + [reference.imageTokenId]
        #expect(throws: ModelLoadingError.invalidInput(name: "input_ids", reason: "holds 9 image tokens (id 410), the image gives 8")) {
            try captioner.model.generate(ids: ids, features: features, maximumNewTokens: 2, endTokenIds: [])
        }
    }
}
