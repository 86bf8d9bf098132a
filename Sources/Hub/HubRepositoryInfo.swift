import Foundation

/// A repo at one commit: what `GET /api/models/{repo}/revision/{revision}` answers.
public struct HubRepositoryInfo: Sendable, Equatable {
    /// The repo id, `organisation/name`.
    public var repo: String
    /// The full commit hash the revision resolved to.
    public var commit: String
    /// Every file path in the repo at this commit (`siblings[].rfilename`).
    public var files: [String]

    /// Creates a repo description.
    public init(repo: String, commit: String, files: [String]) {
        self.repo = repo
        self.commit = commit
        self.files = files
    }

    private struct Payload: Decodable {
        struct Sibling: Decodable { var rfilename: String }
        var sha: String
        var siblings: [Sibling]?
    }

    /// Decodes the hub's JSON answer.
    init(repo: String, json: Data, url: URL) throws {
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: json)
        } catch {
            throw HubError.malformedResponse(url: url.absoluteString, reason: "revision JSON without 'sha' and 'siblings'")
        }
        guard HubCache.isCommitHash(payload.sha) else {
            throw HubError.malformedResponse(url: url.absoluteString, reason: "'sha' is not a commit hash")
        }
        self.init(repo: repo, commit: payload.sha, files: (payload.siblings ?? []).map(\.rfilename))
    }
}
