import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A Hugging Face hub client whose cache is `huggingface_hub`'s cache: files downloaded here are
/// reused by Python tools and the other way round.
///
/// ```swift
/// let hub = try HubClient.fromEnvironment()
/// let folder = try await hub.snapshot(repo: "stabilityai/sd-turbo")   // a diffusers folder
/// ```
///
/// Every method throws `HubError` (or `CancellationError` when its task is cancelled).
public struct HubClient: Sendable {
    /// Endpoint, cache root, token, offline mode.
    public let configuration: HubConfiguration
    /// The cache layout under `configuration.cacheDirectory`.
    public let cache: HubCache
    let transport: HubTransport
    let fileWriter: any FileWriting
    let progress: HubProgressHandler?

    /// Creates a client.
    /// - Parameters:
    ///   - configuration: endpoint, cache, token and offline mode (see `HubConfiguration.fromEnvironment`).
    ///   - fileWriter: how downloads are written (inject a failing writer to test a full disk).
    ///   - progress: called while files download; the default draws a bar on standard error; nil for none.
    public init(
        configuration: HubConfiguration,
        fileWriter: any FileWriting = LocalFileWriter(),
        progress: HubProgressHandler? = TerminalProgressBar().handler
    ) {
        self.configuration = configuration
        self.cache = HubCache(rootDirectory: configuration.cacheDirectory)
        self.transport = HubTransport(configuration: configuration)
        self.fileWriter = fileWriter
        self.progress = progress
    }

    /// A client configured from `HF_ENDPOINT`, `HF_HUB_CACHE`, `HF_HOME`, `HF_TOKEN`, `HF_HUB_OFFLINE`.
    public static func fromEnvironment() throws -> HubClient {
        HubClient(configuration: try HubConfiguration.fromEnvironment())
    }

    /// Resolves a revision to its commit and file list (`GET /api/models/{repo}/revision/{revision}`)
    /// and records `refs/<revision>`. In offline mode, answers from the cache without a request.
    public func resolve(repo: String, revision: String = "main") async throws -> HubRepositoryInfo {
        try Self.validate(repo: repo)
        if configuration.offline {
            guard let commit = cache.cachedCommit(repo: repo, revision: revision),
                  FileManager.default.fileExists(atPath: cache.snapshotDirectory(repo: repo, commit: commit).path) else {
                throw HubError.notCachedOffline(repo: repo, revision: revision, path: nil,
                                                cachedRevisions: cache.cachedCommits(repo: repo))
            }
            return HubRepositoryInfo(repo: repo, commit: commit, files: cache.snapshotFiles(repo: repo, commit: commit))
        }
        let url = try makeURL("api/models/\(repo)/revision/\(Self.encode(revision, keepSlash: false))")
        let (response, body) = try await mappingErrors(repo: repo) {
            try await transport.fetch(url: url, method: "GET", followRedirects: true)
        }
        try checkStatus(response, repo: repo, revision: revision, path: nil, url: url)
        let info = try HubRepositoryInfo(repo: repo, json: body, url: url)
        try cache.writeReference(repo: repo, revision: revision, commit: info.commit)
        return info
    }

    /// Asks the hub about one file (`HEAD /{repo}/resolve/{revision}/{path}`): commit, etag, size, location.
    public func metadata(repo: String, path: String, revision: String = "main") async throws -> HubFileMetadata {
        try Self.validate(repo: repo)
        if configuration.offline {
            throw HubError.notCachedOffline(repo: repo, revision: revision, path: path,
                                            cachedRevisions: cache.cachedCommits(repo: repo))
        }
        var url = try makeURL("\(repo)/resolve/\(Self.encode(revision, keepSlash: false))/\(Self.encode(path, keepSlash: true))")
        for _ in 0..<5 {
            let requestURL = url
            let (response, _) = try await mappingErrors(repo: repo) {
                try await transport.fetch(url: requestURL, method: "HEAD", followRedirects: false)
            }
            // Like huggingface_hub, follow only relative redirects (renamed repos); an absolute
            // one is the LFS storage location and carries the headers we need.
            if (300..<400).contains(response.statusCode),
               let location = response.value(forHTTPHeaderField: "Location"), location.hasPrefix("/"),
               let next = URL(string: location, relativeTo: url)?.absoluteURL {
                url = next
                continue
            }
            try checkStatus(response, repo: repo, revision: revision, path: path, url: url)
            return try HubFileMetadata(response: response, requestURL: url)
        }
        throw HubError.malformedResponse(url: url.absoluteString, reason: "too many redirects")
    }

    // MARK: - Helpers

    /// Repo ids as the hub accepts them: `name` or `organisation/name`, letters, digits, `-_.`.
    static func validate(repo: String) throws {
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        let valid = (1...2).contains(parts.count) && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 96 && !part.hasPrefix("-") && !part.hasPrefix(".")
                && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        } && !repo.contains("--") && !repo.contains("..")
        guard valid else { throw HubError.invalidRepoIdentifier(repo) }
    }

    /// Percent-encodes a revision (slashes too, as `quote(revision, safe="")`) or a path (slashes kept).
    static func encode(_ text: String, keepSlash: Bool) -> String {
        var allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        if keepSlash { allowed.insert("/") }
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func makeURL(_ relativePath: String) throws -> URL {
        let base = configuration.endpoint.absoluteString.hasSuffix("/")
            ? String(configuration.endpoint.absoluteString.dropLast()) : configuration.endpoint.absoluteString
        guard let url = URL(string: base + "/" + relativePath) else {
            throw HubError.invalidEnvironment(variable: "HF_ENDPOINT", value: base)
        }
        return url
    }

    /// Turns a hub status into the matching `HubError` (huggingface_hub's `hf_raise_for_status`).
    func checkStatus(_ response: HTTPURLResponse, repo: String, revision: String, path: String?, url: URL) throws {
        let status = response.statusCode
        if (200..<300).contains(status) || (path != nil && (300..<400).contains(status)) { return }
        let errorCode = response.value(forHTTPHeaderField: "X-Error-Code")
        switch (status, errorCode) {
        case (_, "RepoNotFound"): throw HubError.repoNotFound(repo: repo)
        case (_, "RevisionNotFound"): throw HubError.revisionNotFound(repo: repo, revision: revision)
        case (_, "EntryNotFound"): throw HubError.fileNotFound(repo: repo, revision: revision, path: path ?? "")
        case (_, "GatedRepo") where status == 403: throw HubError.forbidden(repo: repo)
        case (401, _), (_, "GatedRepo"): throw HubError.unauthorized(repo: repo, tokenWasSent: configuration.token != nil)
        case (403, _): throw HubError.forbidden(repo: repo)
        case (404, _):
            if let path { throw HubError.fileNotFound(repo: repo, revision: revision, path: path) }
            throw HubError.repoNotFound(repo: repo)
        default: throw HubError.unexpectedStatus(url: url.absoluteString, status: status)
        }
    }

    /// Maps transport failures: cancellation stays `CancellationError`; unreachable hub becomes
    /// `networkUnavailable`, listing what the cache holds.
    func mappingErrors<T>(repo: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as HubError {
            throw error
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            throw HubError.networkUnavailable(
                endpoint: configuration.endpoint.absoluteString, repo: repo,
                reason: Self.describe(error), cachedRevisions: cache.cachedCommits(repo: repo))
        }
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? URLError {
            return "\(error.localizedDescription) [URLError \(error.code.rawValue)]"
        }
        return error.localizedDescription
    }
}
