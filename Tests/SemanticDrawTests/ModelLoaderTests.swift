import DiffusionModels
import Foundation
import SemanticDraw
import TensorRuntime
import Testing

/// Model resolution without a hub: names, folders, single-file checkpoints with `--config`.
@Suite struct ModelLoaderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/single-file").path

    static func probe(_ unet: UNet2DConditionModel) throws -> [Float] {
        var generator = TorchGenerator(seed: 11)
        let sample = generator.normal(shape: [1, unet.configuration.inChannels, 8, 8])
        let context = generator.normal(shape: [1, 5, unet.configuration.crossAttentionDimension])
        return try unet(sample: sample, timesteps: [321], encoderHiddenStates: context).scalars
    }

    @Test func namesAreReadWithoutTheNetwork() throws {
        #expect(try ModelReference(parsing: "tiny-random") == .tinyRandom)
        #expect(try ModelReference(parsing: "KBlueLeaf/kohaku-v2.1") == .hubRepository(id: "KBlueLeaf/kohaku-v2.1", revision: "main"))
        #expect(try ModelReference(parsing: "org/name@v1.0") == .hubRepository(id: "org/name", revision: "v1.0"))
        #expect(try ModelReference(parsing: Self.fixtures + "/sd2.safetensors") == .singleFile(path: Self.fixtures + "/sd2.safetensors"))
        #expect(try ModelReference(parsing: Self.fixtures + "/sd2-twin") == .folder(path: Self.fixtures + "/sd2-twin"))
        for bad in ["no such thing", "a/b/c", "/nonexistent/model.safetensors", "../x", "org/-name"] {
            #expect(throws: ModelResolutionError.self, "\(bad)") { try ModelReference(parsing: bad) }
        }
    }

    /// `--model file.safetensors --config DIR` loads the same UNet as the diffusers twin folder.
    @Test func singleFileWithConfigurationEqualsItsTwin() async throws {
        let loader = ModelLoader(hub: nil)
        let files = try await loader.fetch(ModelRequest(model: Self.fixtures + "/sd2.safetensors", configurationFolder: Self.fixtures + "/sd2-twin"))
        #expect(files.base == .singleFile(path: Self.fixtures + "/sd2.safetensors", configurationFolder: Self.fixtures + "/sd2-twin"))
        let model = try loader.build(files)
        let twin = try UNet2DConditionModel(folder: Self.fixtures + "/sd2-twin/unet")
        let unet = try #require(model.components.denoiser as? UNet2DConditionModel)
        #expect(try Self.probe(unet) == Self.probe(twin))
        #expect(model.components.promptEncoder.tokenizer?.padTokenId == 0, "SD2's pad token is \"!\" (id 0)")
    }

    @Test func configurationOnlyDescribesSingleFiles() async throws {
        let loader = ModelLoader(hub: nil)
        await #expect(throws: ModelResolutionError.self) {
            _ = try await loader.fetch(ModelRequest(model: "tiny-random", configurationFolder: Self.fixtures + "/sd2-twin"))
        }
        await #expect(throws: ModelResolutionError.self) {
            _ = try await loader.fetch(ModelRequest(model: Self.fixtures + "/sd2.safetensors", configurationFolder: "/nonexistent"))
        }
        // A repo id with no hub client says so instead of reaching out.
        await #expect(throws: ModelResolutionError.self) { _ = try await loader.fetch(ModelRequest(model: "org/name")) }
    }
}
