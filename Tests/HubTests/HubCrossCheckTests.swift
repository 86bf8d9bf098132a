import Foundation
import Testing
@testable import Hub

/// Halves of the huggingface_hub cross-check run by `Tools/check_hub_cache.py` (see docs/HUB.md).
/// Skipped unless the script sets their environment variables.
@Suite("Hub cross-check with huggingface_hub")
struct HubCrossCheckTests {
    /// `HUB_CROSSCHECK_WRITE_CACHE=<folder>`: download every file of the fake repo into that cache,
    /// for huggingface_hub's `scan_cache_dir` and `hf_hub_download(local_files_only=True)` to read.
    @Test("write a cache for huggingface_hub to read",
          .enabled(if: ProcessInfo.processInfo.environment["HUB_CROSSCHECK_WRITE_CACHE"] != nil))
    func writeCacheForPython() async throws {
        let folder = URL(fileURLWithPath: try #require(ProcessInfo.processInfo.environment["HUB_CROSSCHECK_WRITE_CACHE"]))
        try await withFakeHub(cacheDirectory: folder) { _, client, _ in
            _ = try await client.snapshot(repo: HubFixture.repo, matching: .all)
        }
    }

    /// `HUB_CROSSCHECK_READ_CACHE=<folder>`, `HUB_CROSSCHECK_REPO=<repo>`,
    /// `HUB_CROSSCHECK_EXPECTED=<json {path: sha256}>`: read a cache that huggingface_hub filled,
    /// offline, and compare every file's SHA-256.
    @Test("read a cache written by huggingface_hub, offline",
          .enabled(if: ProcessInfo.processInfo.environment["HUB_CROSSCHECK_READ_CACHE"] != nil))
    func readCacheFromPython() async throws {
        let environment = ProcessInfo.processInfo.environment
        let folder = URL(fileURLWithPath: try #require(environment["HUB_CROSSCHECK_READ_CACHE"]))
        let repo = try #require(environment["HUB_CROSSCHECK_REPO"])
        let expectedData = try Data(contentsOf: URL(fileURLWithPath: try #require(environment["HUB_CROSSCHECK_EXPECTED"])))
        let expected = try JSONDecoder().decode([String: String].self, from: expectedData)
        let client = HubClient(
            configuration: HubConfiguration(endpoint: URL(string: "http://127.0.0.1:9")!, cacheDirectory: folder, offline: true),
            progress: nil)
        let info = try await client.resolve(repo: repo)
        #expect(Set(info.files) == Set(expected.keys))
        let snapshot = try await client.snapshot(repo: repo, matching: .all)
        #expect(snapshot.lastPathComponent == info.commit)
        for (path, sha256) in expected {
            let url = try await client.download(repo: repo, path: path)
            var digest = SHA256()
            digest.update(Array(try Data(contentsOf: url)))
            #expect(digest.finalizeHex() == sha256, "\(path)")
        }
        print("cross-check: read \(expected.count) files of \(repo) at \(info.commit) offline")
    }
}
