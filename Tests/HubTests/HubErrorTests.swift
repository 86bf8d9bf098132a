import Foundation
import Testing
@testable import Hub

/// Hub failures map to `HubError` cases whose messages say what to do next.
@Suite("Hub errors and offline mode", .timeLimit(.minutes(1)))
struct HubErrorTests {
    @Test("401 without a token mentions HF_TOKEN; the right token works")
    func unauthorizedWithoutToken() async throws {
        try await withFakeHub { server, client, _ in
            server.requireToken("hf_secret")
            do {
                _ = try await client.snapshot(repo: HubFixture.repo)
                Issue.record("no error without a token")
            } catch let error as HubError {
                #expect(error == .unauthorized(repo: HubFixture.repo, tokenWasSent: false))
                #expect(error.description.contains("HF_TOKEN"))
            }
        }
        try await withFakeHub(token: "hf_secret") { server, client, _ in
            server.requireToken("hf_secret")
            let folder = try await client.snapshot(repo: HubFixture.repo)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model_index.json").path))
        }
    }

    @Test("unknown repo, unknown revision and missing file are told apart")
    func notFound() async throws {
        try await withFakeHub { _, client, _ in
            await #expect(throws: HubError.repoNotFound(repo: "test-org/nope")) {
                _ = try await client.snapshot(repo: "test-org/nope")
            }
            await #expect(throws: HubError.revisionNotFound(repo: HubFixture.repo, revision: "v9")) {
                _ = try await client.snapshot(repo: HubFixture.repo, revision: "v9")
            }
            await #expect(throws: HubError.fileNotFound(repo: HubFixture.repo, revision: "main", path: "missing.json")) {
                _ = try await client.download(repo: HubFixture.repo, path: "missing.json")
            }
            await #expect(throws: HubError.invalidRepoIdentifier("../etc")) {
                _ = try await client.snapshot(repo: "../etc")
            }
        }
    }

    @Test("offline mode serves a cached copy without any request, and says what is missing otherwise")
    func offlineMode() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let cache = folder.url.appendingPathComponent("hub")
        // Offline with an empty cache.
        try await withFakeHub(offline: true, cacheDirectory: cache) { server, client, _ in
            do {
                _ = try await client.snapshot(repo: HubFixture.repo)
                Issue.record("offline snapshot without a cached copy succeeded")
            } catch let error as HubError {
                #expect(error == .notCachedOffline(repo: HubFixture.repo, revision: "main", path: nil, cachedRevisions: []))
                #expect(error.description.contains("HF_HUB_OFFLINE"))
            }
            #expect(server.requests.isEmpty)
        }
        // Fill the cache online.
        try await withFakeHub(cacheDirectory: cache) { _, client, _ in
            _ = try await client.snapshot(repo: HubFixture.repo)
        }
        // Offline with the cached copy: refs/main resolves it, no request.
        try await withFakeHub(offline: true, cacheDirectory: cache) { server, client, _ in
            let snapshot = try await client.snapshot(repo: HubFixture.repo)
            #expect(snapshot.lastPathComponent == HubFixture.commit)
            let file = try await client.download(repo: HubFixture.repo, path: "unet/config.json")
            #expect(Array(try Data(contentsOf: file)) == HubFixture.file("unet/config.json").content)
            await #expect(throws: HubError.notCachedOffline(
                repo: HubFixture.repo, revision: "main", path: "README.md", cachedRevisions: [HubFixture.commit])) {
                _ = try await client.download(repo: HubFixture.repo, path: "README.md")
            }
            #expect(server.requests.isEmpty)
        }
    }

    @Test("no network: the error lists the cached commits and how to go offline")
    func noNetwork() async throws {
        try await withFakeHub { server, client, cache in
            _ = try await client.download(repo: HubFixture.repo, path: "model_index.json")
            server.stop()
            let unreachable = HubClient(
                configuration: HubConfiguration(endpoint: server.endpoint, cacheDirectory: cache, requestTimeout: 5),
                progress: nil)
            do {
                _ = try await unreachable.snapshot(repo: HubFixture.repo)
                Issue.record("no error without a server")
            } catch let error as HubError {
                guard case .networkUnavailable(_, _, _, let cached) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(cached == [HubFixture.commit])
                #expect(error.description.contains("HF_HUB_OFFLINE=1"))
            }
        }
    }
}
