@testable import Captioning
import Foundation
@testable import Hub
import ImageCodecs
import SemanticDraw
import TensorRuntime
import Testing

/// A BLIP-2 captioner from a repo id against a stand-in hub (127.0.0.1) serving the tiny BLIP-2
/// of Tests/Fixtures/blip2 as `Salesforce/blip2-opt-2.7b`: ``CaptionerLoader`` fetches what
/// captioning reads (sharded weights through LFS, configs, tokenizer) and the captioner captions
/// as the fixture folder does; `semantic-draw download Salesforce/blip2-opt-2.7b --verify` fetches
/// it as a captioner (no diffusion model), after which `caption --model Salesforce/blip2-opt-2.7b`
/// runs offline with transformers' ids; and a snapshot with only the tokenizer's slow files
/// (vocab.json + merges.txt, Tests/Fixtures/blip2-slow-tokenizer) captions the same.
@Suite struct CaptionerHubTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/Fixtures/blip2").path
    static let repo = "Salesforce/blip2-opt-2.7b"

    /// The fixture model folder's files (safetensors as LFS files), `tokenizer.json` replaced by
    /// the slow files when `slowTokenizer`.
    static func files(slowTokenizer: Bool = false) throws -> [FakeHubFile] {
        let folder = fixtures + "/model"
        var files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { name in
            FakeHubFile(path: name, content: [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))),
                        isLargeFileStorage: name.hasSuffix(".safetensors"))
        }
        if slowTokenizer {
            files.removeAll { $0.path == "tokenizer.json" || $0.path == "tokenizer_config.json" }
            let slow = repository.appendingPathComponent("Tests/Fixtures/blip2-slow-tokenizer").path
            for name in ["vocab.json", "merges.txt", "tokenizer_config.json"] {
                files.append(FakeHubFile(path: name, content: [UInt8](try Data(contentsOf: URL(fileURLWithPath: slow + "/" + name))),
                                         isLargeFileStorage: false))
            }
        }
        files.append(FakeHubFile(path: "README.md", content: Array("not fetched".utf8), isLargeFileStorage: false))
        return files
    }

    static func caption(_ captioner: Blip2Captioner) throws -> Caption {
        try captioner.caption(PNG.read(path: fixtures + "/images/rgb-large.png"), maximumNewTokens: 12)
    }

    @Test(arguments: [false, true])
    func aRepoIdCaptionsAsTheFolder(slowTokenizer: Bool) async throws {
        let expected = try Self.caption(Blip2Captioner(folder: Self.fixtures + "/model"))
        #expect(!expected.ids.isEmpty)
        try await ModelResolutionHubTests.withServer(repo: Self.repo, files: try Self.files(slowTokenizer: slowTokenizer)) { server, client in
            let loader = CaptionerLoader(hub: client)
            let folder = try #require(try await loader.fetch(Self.repo))
            #expect(folder.contains("models--Salesforce--blip2-opt-2.7b/snapshots/\(HubFixture.commit)"))
            #expect(FileManager.default.fileExists(atPath: folder + "/model.safetensors.index.json"))
            #expect(FileManager.default.fileExists(atPath: folder + (slowTokenizer ? "/merges.txt" : "/tokenizer.json")))
            #expect(!FileManager.default.fileExists(atPath: folder + "/README.md"))
            #expect(try Self.caption(try await loader.load(Self.repo)) == expected)
            // A second fetch is answered from the cache: only revision lookups go out, no file.
            let before = server.requests.count
            _ = try await loader.fetch(Self.repo)
            let again = server.requests.dropFirst(before)
            #expect(!again.isEmpty && again.allSatisfy { $0.hasPrefix("GET /api/models/\(Self.repo)/revision/") }, "\(Array(again))")
        }
    }

    /// `--precision bf16` (caption, generate, serve): the folder's captioner loads with bfloat16
    /// weight matrices, its image features stay within bf16 rounding of float32's, and it captions.
    @Test func bf16WeightsLoadAndCaption() async throws {
        let loader = CaptionerLoader(hub: nil)
        let full = try await loader.load(Self.fixtures + "/model")
        let half = try await loader.load(Self.fixtures + "/model", precision: .bf16)
        #expect(full.model.languageProjection.weight.dtype == .float32)
        #expect(half.model.languageProjection.weight.dtype == .bfloat16)
        var random = TorchGenerator(seed: 3)
        let side = full.model.configuration.vision.imageSize
        let pixels = random.normal(shape: [1, 3, side, side])
        let expected = try full.model.imageFeatures(pixels).languageModelInputs.scalars
        let actual = try half.model.imageFeatures(pixels).languageModelInputs.scalars
        let largest = expected.map(abs).max() ?? 0
        let difference = zip(expected, actual).map { abs($0 - $1) }.max() ?? .infinity
        #expect(largest > 0 && difference <= 0.05 * largest, "max |bf16 - fp32| \(difference), largest \(largest)")
        let caption = try Self.caption(half)
        #expect(!caption.ids.isEmpty && caption.ids.allSatisfy { (0..<half.model.configuration.text.vocabularySize).contains($0) })
    }

    @Test func downloadFetchesTheCaptionerAndCaptionRunsOffline() async throws {
        let executable = Self.repository.appendingPathComponent(".build/debug/semantic-draw")
        try #require(FileManager.default.isExecutableFile(atPath: executable.path), "build first: swift build --build-tests")
        let server = FakeHubServer(repo: Self.repo, commit: HubFixture.commit, files: try Self.files())
        try server.start()
        let home = try TemporaryFolder()
        defer {
            server.stop()
            home.remove()
        }
        let environment = ["HF_ENDPOINT": server.endpoint.absoluteString, "HF_HOME": home.url.path, "HF_HUB_CACHE": home.url.path + "/hub",
                           "HF_HUB_OFFLINE": "0"]
        let download = try Self.run(executable, ["download", Self.repo, "--verify"], environment: environment)
        #expect(download.status == 0, "stderr: \(download.error)")
        #expect(download.output.contains("ready: ") && download.output.contains("models--Salesforce--blip2-opt-2.7b"), "\(download.output)")
        #expect(download.output.contains("loaded: BLIP-2, vision 2 layers, Q-Former 3 layers, 8 queries, OPT 2 layers x 48, tokenizer of 411 tokens"),
                "\(download.output)")
        // Only the captioner's repo was asked for (no diffusion model).
        #expect(server.requests.allSatisfy { $0.contains("blip2-opt-2.7b") || $0.contains("/lfs-storage/") }, "\(server.requests)")

        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/reference.json"))) as? [String: Any]
        let generation = try #require((reference?["generations"] as? [[String: Any]])?.first { $0["eos_token_id"] is NSNull && $0["prompt"] is String })
        let image = try #require(generation["image"] as? String), prompt = try #require(generation["prompt"] as? String)
        let offline = environment.merging(["HF_HUB_OFFLINE": "1"]) { $1 }
        let caption = try Self.run(executable, ["caption", Self.fixtures + "/images/" + image, "--model", Self.repo, "--prompt", prompt,
                                                "--max-new-tokens", String(generation["max_new_tokens"] as? Int ?? 0), "--json"], environment: offline)
        #expect(caption.status == 0, "stderr: \(caption.error)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(caption.output.utf8)) as? [String: Any])
        #expect(output["ids"] as? [Int] == generation["new_ids"] as? [Int])
        #expect(output["text"] as? String == generation["text"] as? String)
    }

    static func run(_ executable: URL, _ arguments: [String], environment extra: [String: String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }
}
