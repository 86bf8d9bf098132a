import DiffusionModels
import Foundation
@testable import Hub
import SemanticDraw
import TensorRuntime
import Testing

/// `--model org/name`, `--tiny-vae org/name` and `download` through ``ModelLoader`` against a
/// stand-in hub serving the tiny-random model that `export tiny-random` writes.
@Suite struct ModelResolutionHubTests {
    /// The exported tiny-random pipeline as hub files (weights as LFS files), under `prefix`.
    static func tinyRandomFiles(prefix: String = "") throws -> (files: [FakeHubFile], folder: TemporaryFolder) {
        let folder = try TemporaryFolder()
        try TinyRandomModel.export(to: folder.url.path, overwrite: true)
        let files = try TinyRandomModel.exportedFiles.compactMap { path -> FakeHubFile? in
            guard path.hasPrefix(prefix) else { return nil }
            let content = try [UInt8](Data(contentsOf: folder.url.appendingPathComponent(path)))
            return FakeHubFile(path: String(path.dropFirst(prefix.count)), content: content, isLargeFileStorage: path.hasSuffix(".safetensors"))
        }
        return (files, folder)
    }

    static func withServer(repo: String, files: [FakeHubFile], _ body: (FakeHubServer, HubClient) async throws -> Void) async throws {
        let server = FakeHubServer(repo: repo, commit: HubFixture.commit, files: files)
        try server.start()
        let cache = try TemporaryFolder()
        defer {
            server.stop()
            cache.remove()
        }
        let configuration = HubConfiguration(endpoint: server.endpoint, cacheDirectory: cache.url.appendingPathComponent("hub"),
                                             token: nil, offline: false, requestTimeout: 30, maximumResumeAttempts: 2)
        try await body(server, HubClient(configuration: configuration, progress: nil))
    }

    /// The UNet output of `unet` for fixed inputs, to compare two loads of the same weights.
    static func probe(_ unet: UNet2DConditionModel) throws -> [Float] {
        var generator = TorchGenerator(seed: 7)
        let sample = generator.normal(shape: [1, unet.configuration.inChannels, 8, 8])
        let context = generator.normal(shape: [1, 77, unet.configuration.crossAttentionDimension])
        return try unet(sample: sample, timesteps: [500], encoderHiddenStates: context).scalars
    }

    @Test func repoIDLoadsTheSameModelAsTheFolder() async throws {
        let (files, folder) = try Self.tinyRandomFiles()
        defer { folder.remove() }
        try await Self.withServer(repo: "test-org/tiny-random-sd", files: files) { server, client in
            let loader = ModelLoader(hub: client)
            let fetched = try await loader.fetch(ModelRequest(model: "test-org/tiny-random-sd"))
            guard case .folder(let path) = fetched.base else { Issue.record("expected a folder, got \(fetched.base)"); return }
            #expect(path.contains("models--test-org--tiny-random-sd/snapshots/\(HubFixture.commit)"))
            // Only what generation reads: no taesd/ (not a pipeline component we load).
            #expect(!FileManager.default.fileExists(atPath: path + "/taesd"))
            let fromHub = try loader.build(fetched)
            let inMemory = try TinyRandomModel()
            let unet = try #require(fromHub.components.denoiser as? UNet2DConditionModel)
            #expect(try Self.probe(unet) == Self.probe(inMemory.unet))
            #expect(fromHub.sources.first?.hasPrefix("test-org/tiny-random-sd@main -> \(HubFixture.commit)") == true)
            // A second fetch is answered from the cache: only the revision lookup goes out.
            let before = server.requests.count
            _ = try await loader.fetch(ModelRequest(model: "test-org/tiny-random-sd"))
            #expect(server.requests.dropFirst(before).allSatisfy { $0.hasPrefix("GET /api/models/") })
        }
    }

    /// `ModelRequest.unetWeights` (SDXL-Lightning's distilled UNet on SDXL base): the base's
    /// own UNet weights are not fetched, the named file is, and the UNet is built from it under
    /// the base's UNet configuration.
    @Test func replacementUNetWeightsAreFetchedInsteadOfTheBases() async throws {
        let (files, folder) = try Self.tinyRandomFiles()
        defer { folder.remove() }
        try await Self.withServer(repo: "test-org/tiny-random-sd", files: files) { server, client in
            let loader = ModelLoader(hub: client)
            let weights = "unet/diffusion_pytorch_model.safetensors", repo = "test-org/tiny-random-sd"
            let local = folder.url.appendingPathComponent(weights).path
            let withLocalWeights = try await loader.fetch(ModelRequest(model: repo, unetWeights: local))
            #expect(withLocalWeights.unetWeights == local)
            // LFS downloads: the text encoder's and the VAE's weights, not the UNet's.
            #expect(server.requests.filter { $0.hasPrefix("GET /lfs-storage/") }.count == 2, "\(server.requests)")
            let before = server.requests.count
            let fetched = try await loader.fetch(ModelRequest(model: repo, unetWeights: repo + "/" + weights))
            #expect(server.requests.dropFirst(before).filter { $0.hasPrefix("GET /lfs-storage/") }.count == 1)
            #expect(fetched.unetWeights?.hasSuffix(weights) == true)
            #expect(fetched.sources.contains { $0.hasPrefix("UNet weights \(repo)@main") })
            let unet = try #require(try loader.build(fetched).components.denoiser as? UNet2DConditionModel)
            #expect(try Self.probe(unet) == Self.probe(TinyRandomModel().unet))
            // Only diffusers pipelines take replacement weights.
            await #expect(throws: ModelResolutionError.self) {
                _ = try await loader.fetch(ModelRequest(model: TinyRandomModel.name, unetWeights: "test-org/tiny-random-sd/" + weights))
            }
        }
    }

    @Test func tinyAutoencoderByRepoID() async throws {
        let (files, folder) = try Self.tinyRandomFiles(prefix: "taesd/")
        defer { folder.remove() }
        try await Self.withServer(repo: "test-org/tiny-taesd", files: files) { _, client in
            let model = try await ModelLoader(hub: client).load(ModelRequest(model: TinyRandomModel.name, tinyAutoencoder: "test-org/tiny-taesd"))
            guard case .tiny = model.components.autoencoder else { Issue.record("expected TAESD"); return }
            #expect(model.notes == [TinyRandomModel.warning])
        }
    }

    @Test func unknownRepoAndNonPipelineRepoAreClearErrors() async throws {
        let (files, folder) = try Self.tinyRandomFiles(prefix: "taesd/")
        defer { folder.remove() }
        try await Self.withServer(repo: "test-org/tiny-taesd", files: files) { _, client in
            let loader = ModelLoader(hub: client)
            await #expect(throws: HubError.self) { _ = try await loader.fetch(ModelRequest(model: "test-org/no-such-model")) }
            // A repo that is neither a pipeline nor one checkpoint file.
            do {
                _ = try await loader.fetch(ModelRequest(model: "test-org/tiny-taesd"))
                Issue.record("a TAESD repo must not load as a model")
            } catch let error as ModelResolutionError {
                #expect(error.description.contains("not a pipeline or a checkpoint") && error.description.contains("--tiny-vae"), "\(error)")
            }
        }
    }

    @Test func offlineWithoutCacheSaysSo() async throws {
        let cache = try TemporaryFolder()
        defer { cache.remove() }
        let configuration = HubConfiguration(endpoint: URL(string: "http://127.0.0.1:9")!, cacheDirectory: cache.url,
                                             token: nil, offline: true, requestTimeout: 2, maximumResumeAttempts: 0)
        let loader = ModelLoader(hub: HubClient(configuration: configuration, progress: nil))
        do {
            _ = try await loader.fetch(ModelRequest.defaultModel())
            Issue.record("offline with an empty cache must fail")
        } catch {
            #expect("\(error)".contains("offline") || "\(error)".contains("HF_HUB_OFFLINE"), "\(error)")
        }
        // tiny-random needs neither network nor cache.
        let model = try await loader.load(ModelRequest(model: TinyRandomModel.name))
        #expect(model.notes == [TinyRandomModel.warning])
    }

    /// An accelerator LoRA named as `org/name/file.safetensors` (the Hyper-SD repo holds one file
    /// per step count): that file is fetched; the bare repo id is ambiguous and says so; a local
    /// adapter folder gives its `.safetensors` file.
    @Test func acceleratorLoRAByRepoFile() async throws {
        let lora = try [UInt8](Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/hyper-sd/hyper-sd15-kohya.safetensors")))
        let files = [FakeHubFile(path: "Hyper-SD15-1step-lora.safetensors", content: lora, isLargeFileStorage: true),
                     FakeHubFile(path: "Hyper-SD15-2steps-lora.safetensors", content: lora, isLargeFileStorage: true)]
        try await Self.withServer(repo: "test-org/hyper", files: files) { _, client in
            let loader = ModelLoader(hub: client)
            let fetched = try await loader.fetch(ModelRequest(model: TinyRandomModel.name,
                                                              loras: [LoRAReference(path: "test-org/hyper/Hyper-SD15-2steps-lora.safetensors")]))
            #expect(fetched.loras.count == 1 && fetched.loras[0].path.hasSuffix("/Hyper-SD15-2steps-lora.safetensors"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: fetched.loras[0].path)) == Data(lora))
            // Fused into tiny-random it changes the UNet.
            let model = try loader.build(fetched)
            let unet = try #require(model.components.denoiser as? UNet2DConditionModel)
            #expect(try Self.probe(unet) != Self.probe(try TinyRandomModel().unet))
            await #expect { _ = try await loader.fetch(ModelRequest(model: TinyRandomModel.name, loras: [LoRAReference(path: "test-org/hyper")])) }
                throws: { "\($0)".contains("Hyper-SD15-1step-lora.safetensors") }
            await #expect { _ = try await loader.fetch(ModelRequest(model: TinyRandomModel.name, loras: [LoRAReference(path: "test-org/hyper/missing.safetensors")])) }
                throws: { "\($0)".contains("missing.safetensors") }
        }
        let adapter = try TemporaryFolder()
        defer { adapter.remove() }
        try Data(lora).write(to: adapter.url.appendingPathComponent("pytorch_lora_weights.safetensors"))
        let local = try await ModelLoader(hub: nil).fetch(ModelRequest(model: TinyRandomModel.name, loras: [LoRAReference(path: adapter.url.path)]))
        #expect(local.loras.map(\.path) == [adapter.url.path + "/pytorch_lora_weights.safetensors"])
    }
}
