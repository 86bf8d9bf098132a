import Foundation
@testable import Hub

/// The fake pipeline repo every download test uses.
enum HubFixture {
    static let repo = "test-org/tiny-pipeline"
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    /// Deterministic pseudo-random bytes (xorshift), so the content is the same in every run.
    static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    static let files: [FakeHubFile] = [
        FakeHubFile(path: "model_index.json", content: Array(#"{"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"]}"#.utf8), isLargeFileStorage: false),
        FakeHubFile(path: "README.md", content: Array("# tiny pipeline\n".utf8), isLargeFileStorage: false),
        FakeHubFile(path: "single_file.ckpt", content: bytes(count: 1000, seed: 1), isLargeFileStorage: true),
        FakeHubFile(path: "unet/config.json", content: Array(#"{"sample_size": 8}"#.utf8), isLargeFileStorage: false),
        FakeHubFile(path: "unet/diffusion_pytorch_model.safetensors", content: bytes(count: 200_000, seed: 2), isLargeFileStorage: true),
        FakeHubFile(path: "unet/diffusion_pytorch_model.fp16.safetensors", content: bytes(count: 300_000, seed: 3), isLargeFileStorage: true),
        FakeHubFile(path: "unet/diffusion_pytorch_model.bin", content: bytes(count: 5000, seed: 4), isLargeFileStorage: true),
        FakeHubFile(path: "text_encoder/config.json", content: Array(#"{"hidden_size": 32}"#.utf8), isLargeFileStorage: false),
        FakeHubFile(path: "text_encoder/model.safetensors", content: bytes(count: 50_000, seed: 5), isLargeFileStorage: true),
        FakeHubFile(path: "text_encoder/pytorch_model.bin", content: bytes(count: 5000, seed: 6), isLargeFileStorage: true),
        FakeHubFile(path: "tokenizer/vocab.json", content: Array(#"{"a": 0}"#.utf8), isLargeFileStorage: false),
        FakeHubFile(path: "tokenizer/merges.txt", content: Array("#version: 0.2\na b\n".utf8), isLargeFileStorage: false),
        FakeHubFile(path: "scheduler/scheduler_config.json", content: Array(#"{"num_train_timesteps": 1000}"#.utf8), isLargeFileStorage: false),
    ]

    /// What `HubFileSelection.diffusersPipeline` must pick from `files`.
    static let pipelineFiles: [String] = [
        "model_index.json",
        "scheduler/scheduler_config.json",
        "text_encoder/config.json",
        "text_encoder/model.safetensors",
        "tokenizer/merges.txt",
        "tokenizer/vocab.json",
        "unet/config.json",
        "unet/diffusion_pytorch_model.fp16.safetensors",
    ]

    static func file(_ path: String) -> FakeHubFile {
        files.first { $0.path == path }!
    }
}

/// A fresh temporary folder, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hub-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Starts a fake hub and a client on a fresh cache, runs `body`, then stops the server and
/// removes the cache (also when `body` throws).
func withFakeHub(
    token: String? = nil,
    offline: Bool = false,
    maximumResumeAttempts: Int = 5,
    fileWriter: any FileWriting = LocalFileWriter(),
    cacheDirectory: URL? = nil,
    _ body: (FakeHubServer, HubClient, URL) async throws -> Void
) async throws {
    let server = FakeHubServer(repo: HubFixture.repo, commit: HubFixture.commit, files: HubFixture.files)
    try server.start()
    let folder = try TemporaryFolder()
    defer {
        server.stop()
        folder.remove()
    }
    let cache = cacheDirectory ?? folder.url.appendingPathComponent("hub", isDirectory: true)
    let configuration = HubConfiguration(
        endpoint: server.endpoint, cacheDirectory: cache, token: token, offline: offline,
        requestTimeout: 5, maximumResumeAttempts: maximumResumeAttempts)
    let client = HubClient(configuration: configuration, fileWriter: fileWriter, progress: nil)
    try await body(server, client, cache)
}

/// Files under `blobs/`, sorted.
func blobNames(_ cache: URL) -> [String] {
    let blobs = cache.appendingPathComponent(HubCache.repoFolderName(repo: HubFixture.repo)).appendingPathComponent("blobs")
    return ((try? FileManager.default.contentsOfDirectory(atPath: blobs.path)) ?? []).sorted()
}

/// A writer that fails once `limit` bytes have been written in total: a disk that fills up.
final class DiskFullWriter: FileWriting, @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int

    init(limit: Int) { remaining = limit }

    func openForAppending(_ url: URL) throws -> any AppendingFile {
        let file = try LocalFileWriter().openForAppending(url)
        return LimitedFile(file: file, writer: self)
    }

    fileprivate func take(_ count: Int) -> Bool {
        lock.withLock {
            guard remaining >= count else { return false }
            remaining -= count
            return true
        }
    }

    private final class LimitedFile: AppendingFile {
        let file: any AppendingFile
        let writer: DiskFullWriter
        init(file: any AppendingFile, writer: DiskFullWriter) { self.file = file; self.writer = writer }
        func write(_ data: Data) throws {
            guard writer.take(data.count) else { throw POSIXError(.ENOSPC) }
            try file.write(data)
        }
        func close() throws { try file.close() }
    }
}
