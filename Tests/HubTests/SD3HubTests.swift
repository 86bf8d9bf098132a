import DiffusionModels
import Foundation
@testable import Hub
import SemanticDraw
import TensorRuntime
import Testing

/// SD3 through the hub (the stand-in hub of ModelResolutionHubTests): a StableDiffusion3Pipeline
/// repo is fetched with its transformer and both CLIP encoders and tokenizers but not T5
/// (`text_encoder_3/`, `tokenizer_3/`), and builds the same transformer as the in-memory
/// tiny-random-sd3; a PEFT adapter repo (the layout of jasperai/flash-sd3) comes with its
/// `adapter_config.json` beside the weights.
@Suite struct SD3HubTests {
    typealias Hub = ModelResolutionHubTests

    static func exportedFiles() throws -> (files: [FakeHubFile], folder: TemporaryFolder) {
        let folder = try TemporaryFolder()
        try TinyRandomSD3Model.export(to: folder.url.path, overwrite: true)
        var files = try TinyRandomSD3Model.exportedFiles.map { path in
            FakeHubFile(path: path, content: try [UInt8](Data(contentsOf: folder.url.appendingPathComponent(path))),
                        isLargeFileStorage: path.hasSuffix(".safetensors"))
        }
        // T5, which the SD3 set-up does not use: must not be downloaded.
        files.append(FakeHubFile(path: "text_encoder_3/config.json", content: Array("{}".utf8), isLargeFileStorage: false))
        files.append(FakeHubFile(path: "text_encoder_3/model.safetensors", content: [1, 2, 3], isLargeFileStorage: true))
        files.append(FakeHubFile(path: "tokenizer_3/spiece.model", content: [4, 5], isLargeFileStorage: false))
        return (files, folder)
    }

    static func probe(_ transformer: SD3Transformer2DModel) throws -> [Float] {
        var generator = TorchGenerator(seed: 5)
        let configuration = transformer.configuration
        return try transformer(hiddenStates: generator.normal(shape: [1, 16, 4, 6]),
                               encoderHiddenStates: generator.normal(shape: [1, 9, configuration.jointAttentionDimension]),
                               pooledProjections: generator.normal(shape: [1, configuration.pooledProjectionDimension]),
                               timesteps: [750]).scalars
    }

    @Test func sd3RepoFetchesWhatTheSD3SetUpReads() async throws {
        let (files, folder) = try Self.exportedFiles()
        defer { folder.remove() }
        try await Hub.withServer(repo: "test-org/tiny-sd3", files: files) { _, client in
            let loader = ModelLoader(hub: client)
            #expect(ModelFamily.detect(model: "stabilityai/stable-diffusion-3-medium-diffusers") == .stableDiffusion3)
            let fetched = try await loader.fetch(ModelRequest(model: "test-org/tiny-sd3"))
            guard case .folder(let path) = fetched.base else { Issue.record("expected a folder, got \(fetched.base)"); return }
            for present in ["transformer/config.json", "text_encoder_2/model.safetensors", "tokenizer_2/vocab.json", "vae/config.json"] {
                #expect(FileManager.default.fileExists(atPath: path + "/" + present), "\(present) is fetched")
            }
            for absent in ["text_encoder_3", "tokenizer_3", "taesd", "unet"] {
                #expect(!FileManager.default.fileExists(atPath: path + "/" + absent), "\(absent) is not fetched")
            }
            let model = try loader.build(fetched)
            #expect(model.components.family == .stableDiffusion3)
            let transformer = try #require(model.components.denoiser as? SD3Transformer2DModel)
            #expect(try Self.probe(transformer) == Self.probe(TinyRandomSD3Model().transformer))
        }
    }

    @Test func peftAdapterRepoComesWithItsConfiguration() async throws {
        let adapter = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sd3-lora/adapter")
        let files = try ["adapter_config.json", "adapter_model.safetensors"].map { name in
            FakeHubFile(path: name, content: try [UInt8](Data(contentsOf: adapter.appendingPathComponent(name))),
                        isLargeFileStorage: name.hasSuffix(".safetensors"))
        } + [FakeHubFile(path: "README.md", content: Array("# flash".utf8), isLargeFileStorage: false)]
        try await Hub.withServer(repo: "test-org/flash-sd3", files: files) { _, client in
            let fetched = try await ModelLoader(hub: client).fetch(
                ModelRequest(model: TinyRandomSD3Model.name, loras: [LoRAReference(path: "test-org/flash-sd3")]))
            let weights = try #require(fetched.loras.first?.path)
            #expect(weights.hasSuffix("adapter_model.safetensors"))
            let configuration = (weights as NSString).deletingLastPathComponent + "/adapter_config.json"
            #expect(FileManager.default.fileExists(atPath: configuration), "adapter_config.json sits beside the weights")
            // Readable as a PEFT adapter: its layers adapt the transformer.
            #expect(try LoRAWeights(path: weights).layers.allSatisfy { $0.target == .transformer })
        }
    }
}
