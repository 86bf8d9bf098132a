import Foundation
import Testing
@testable import Hub

/// Downloads cut mid-file and resumed never leave a corrupt blob in the cache
/// (docs/RELIABILITY.md "Faults"; the plain cut-and-resume cases are in `HubDownloadTests`).
@Suite("Hub resume faults", .timeLimit(.minutes(1)))
struct HubResumeFaultTests {
    /// The `.incomplete` file of `path` in `cache`.
    static func partialFile(_ cache: URL, _ path: String) -> URL {
        cache.appendingPathComponent("models--test-org--tiny-pipeline/blobs/\(HubFixture.file(path).etag).incomplete")
    }

    @Test("a partial file damaged between runs is caught after the resume: no blob; the next run downloads it whole")
    func damagedPartialFileIsNotCached() async throws {
        try await withFakeHub(maximumResumeAttempts: 0) { server, client, cache in
            let path = "unet/diffusion_pytorch_model.safetensors"
            let file = HubFixture.file(path)
            server.cutConnection(path: path, afterBytes: 60_000)
            await #expect(throws: HubError.self) { _ = try await client.download(repo: HubFixture.repo, path: path) }
            let partial = Self.partialFile(cache, path)
            #expect(HubClient.fileSize(partial) == 60_000)
            // One byte of the bytes on disk changes (a bad sector, another writer).
            var bytes = try Data(contentsOf: partial)
            bytes[1234] ^= 0xFF
            try bytes.write(to: partial)
            do {
                _ = try await client.download(repo: HubFixture.repo, path: path)
                Issue.record("a damaged resumed download was accepted")
            } catch let error as HubError {
                guard case .verificationFailed(let failedPath, _, _) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(failedPath == path)
            }
            #expect(server.requests.contains { $0.hasSuffix("bytes=60000-") }, "the second run did not resume")
            #expect(blobNames(cache).isEmpty, "\(blobNames(cache))")
            let url = try await client.download(repo: HubFixture.repo, path: path)
            #expect(Array(try Data(contentsOf: url)) == file.content)
            #expect(blobNames(cache) == [file.etag])
        }
    }

    @Test("a server that ignores Range on the resume sends the whole file: the download starts over, the blob is whole")
    func serverIgnoringRangeStartsOver() async throws {
        try await withFakeHub { server, client, cache in
            let path = "unet/diffusion_pytorch_model.fp16.safetensors"
            let file = HubFixture.file(path)
            server.cutConnection(path: path, afterBytes: 100_000)
            server.ignoreRange(path: path)
            let url = try await client.download(repo: HubFixture.repo, path: path)
            #expect(Array(try Data(contentsOf: url)) == file.content)
            #expect(server.requests.contains { $0.hasSuffix("bytes=100000-") }, "no resume was tried")
            #expect(blobNames(cache) == [file.etag])
        }
    }
}
