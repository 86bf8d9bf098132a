import Foundation
import Testing
@testable import Hub

/// Downloads against `FakeHubServer` (127.0.0.1, started per test): the cache layout must be
/// huggingface_hub 2.4.0's (file_download.py), and content must be verified before it is cached.
@Suite("Hub downloads", .timeLimit(.minutes(1)))
struct HubDownloadTests {
    @Test("first download fills the HF cache layout; the second run makes no file request")
    func firstDownloadThenCache() async throws {
        try await withFakeHub { server, client, cache in
            let folder = try await client.snapshot(repo: HubFixture.repo)
            let repoFolder = cache.appendingPathComponent("models--test-org--tiny-pipeline")
            #expect(folder.path == repoFolder.appendingPathComponent("snapshots/\(HubFixture.commit)").path)
            #expect(try String(contentsOf: repoFolder.appendingPathComponent("refs/main"), encoding: .utf8) == HubFixture.commit)
            for path in HubFixture.pipelineFiles {
                let file = HubFixture.file(path)
                let link = folder.appendingPathComponent(path)
                let depth = path.split(separator: "/").count - 1
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: link.path)
                #expect(target == String(repeating: "../", count: 2 + depth) + "blobs/" + file.etag)
                #expect(Array(try Data(contentsOf: link)) == file.content)
            }
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("unet/diffusion_pytorch_model.bin").path))
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("single_file.ckpt").path))
            #expect(blobNames(cache).allSatisfy { !$0.hasSuffix(".incomplete") })

            let firstRunRequests = server.requests.count
            let again = try await client.snapshot(repo: HubFixture.repo)
            #expect(again == folder)
            // Only the revision listing; every file came from the cache.
            #expect(server.requests.count == firstRunRequests + 1)
            #expect(server.requests.last?.hasPrefix("GET /api/models/") == true)

            // A file at a pinned commit that is cached: no request at all.
            let before = server.requests.count
            let cached = try await client.download(repo: HubFixture.repo, path: "unet/config.json", revision: HubFixture.commit)
            #expect(Array(try Data(contentsOf: cached)) == HubFixture.file("unet/config.json").content)
            #expect(server.requests.count == before)
        }
    }

    @Test("a cut connection is resumed with a Range request from the bytes on disk")
    func resumeAfterCutConnection() async throws {
        try await withFakeHub { server, client, cache in
            let path = "unet/diffusion_pytorch_model.fp16.safetensors"
            server.cutConnection(path: path, afterBytes: 100_000)
            let url = try await client.download(repo: HubFixture.repo, path: path)
            #expect(Array(try Data(contentsOf: url)) == HubFixture.file(path).content)
            let ranged = server.requests.filter { $0.contains("Range") || $0.contains("bytes=") }
            #expect(ranged.contains { $0.hasSuffix("bytes=100000-") })
            #expect(blobNames(cache) == [HubFixture.file(path).etag])
        }
    }

    @Test("a cut connection without automatic retry leaves .incomplete; the next run resumes it")
    func resumeOnNextRun() async throws {
        try await withFakeHub(maximumResumeAttempts: 0) { server, client, cache in
            let path = "text_encoder/model.safetensors"
            let file = HubFixture.file(path)
            server.cutConnection(path: path, afterBytes: 20_000)
            await #expect(throws: HubError.self) {
                _ = try await client.download(repo: HubFixture.repo, path: path)
            }
            #expect(blobNames(cache) == [file.etag + ".incomplete"])
            let partial = cache.appendingPathComponent("models--test-org--tiny-pipeline/blobs/\(file.etag).incomplete")
            #expect(HubClient.fileSize(partial) == 20_000)
            let url = try await client.download(repo: HubFixture.repo, path: path)
            #expect(Array(try Data(contentsOf: url)) == file.content)
            #expect(server.requests.contains { $0.hasSuffix("bytes=20000-") })
            #expect(blobNames(cache) == [file.etag])
        }
    }

    @Test("corrupt content (LFS sha256 and git blob sha1) is detected and not placed in the cache")
    func corruptContentRejected() async throws {
        for path in ["unet/diffusion_pytorch_model.safetensors", "unet/config.json"] {
            try await withFakeHub { server, client, cache in
                server.serveCorrupt(path: path)
                do {
                    _ = try await client.download(repo: HubFixture.repo, path: path)
                    Issue.record("corrupt \(path) was accepted")
                } catch let error as HubError {
                    guard case .verificationFailed(let failedPath, _, _) = error else {
                        Issue.record("unexpected error \(error)")
                        return
                    }
                    #expect(failedPath == path)
                    #expect(error.description.contains("nothing was cached"))
                }
                #expect(blobNames(cache).isEmpty)
                let link = cache.appendingPathComponent("models--test-org--tiny-pipeline/snapshots/\(HubFixture.commit)/\(path)")
                #expect(!FileManager.default.fileExists(atPath: link.path))
            }
        }
    }

    @Test("a disk that fills during a download leaves no blob and no partial file")
    func diskFull() async throws {
        try await withFakeHub(fileWriter: DiskFullWriter(limit: 150_000)) { _, client, cache in
            let path = "unet/diffusion_pytorch_model.fp16.safetensors"
            do {
                _ = try await client.download(repo: HubFixture.repo, path: path)
                Issue.record("the download succeeded on a full disk")
            } catch let error as HubError {
                guard case .writeFailed = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(error.description.contains("HF_HUB_CACHE"))
            }
            #expect(blobNames(cache).isEmpty)
        }
    }

    @Test("progress reports bytes, total and a final report")
    func progressReports() async throws {
        let reports = ProgressRecorder()
        try await withFakeHub { server, _, cache in
            let configuration = HubConfiguration(endpoint: server.endpoint, cacheDirectory: cache, requestTimeout: 5)
            let client = HubClient(configuration: configuration, progress: { reports.append($0) })
            let path = "unet/diffusion_pytorch_model.safetensors"
            _ = try await client.download(repo: HubFixture.repo, path: path)
            let last = try #require(reports.all.last)
            #expect(last.isFinished && last.bytesDone == 200_000 && last.totalBytes == 200_000)
            #expect(last.bytesPerSecond > 0)
            #expect(TerminalProgressBar.render(last, width: 10).contains("[##########] 200.0 kB / 200.0 kB"))
        }
    }

    @Test("cancelling the task stops the download and keeps the partial file for resume")
    func cancellation() async throws {
        try await withFakeHub { _, client, cache in
            let task = Task {
                try await client.download(repo: HubFixture.repo, path: "unet/diffusion_pytorch_model.fp16.safetensors")
            }
            task.cancel()
            let result = await task.result
            if case .success = result {
                // The download may finish before the cancellation lands; it must then be complete.
                #expect(blobNames(cache) == [HubFixture.file("unet/diffusion_pytorch_model.fp16.safetensors").etag])
            } else if case .failure(let error) = result {
                #expect(error is CancellationError)
                #expect(!blobNames(cache).contains(HubFixture.file("unet/diffusion_pytorch_model.fp16.safetensors").etag))
            }
        }
    }
}

/// Collects progress reports from any thread.
final class ProgressRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [HubProgress] = []
    func append(_ report: HubProgress) { lock.withLock { reports.append(report) } }
    var all: [HubProgress] { lock.withLock { reports } }
}
