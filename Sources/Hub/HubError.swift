import Foundation

/// Everything the hub client can fail with. Each message says what to do next.
public enum HubError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An environment variable holds a value the client cannot use.
    case invalidEnvironment(variable: String, value: String)
    /// The repo id is not `name` or `organisation/name`.
    case invalidRepoIdentifier(String)
    /// The hub answered 401: the repo is private or gated and no (or a wrong) token was sent.
    case unauthorized(repo: String, tokenWasSent: Bool)
    /// The hub answered 403: the token cannot read this repo (gated repo whose terms were not accepted).
    case forbidden(repo: String)
    /// The repo does not exist (or is private and no token was sent).
    case repoNotFound(repo: String)
    /// The repo exists but the revision (branch, tag or commit) does not.
    case revisionNotFound(repo: String, revision: String)
    /// The file does not exist in the repo at this revision.
    case fileNotFound(repo: String, revision: String, path: String)
    /// The hub answered with an unexpected status.
    case unexpectedStatus(url: String, status: Int)
    /// The hub's answer lacked something the client needs (a commit header, an etag, valid JSON).
    case malformedResponse(url: String, reason: String)
    /// The hub could not be reached. `cachedRevisions` lists the commits of this repo already in the cache.
    case networkUnavailable(endpoint: String, repo: String, reason: String, cachedRevisions: [String])
    /// The transfer kept failing after resuming `attempts` times.
    case transferFailed(path: String, attempts: Int, reason: String)
    /// Offline mode (`HF_HUB_OFFLINE=1`) and the revision or file is not in the cache.
    case notCachedOffline(repo: String, revision: String, path: String?, cachedRevisions: [String])
    /// The downloaded bytes did not match what the hub announced; nothing was placed in the cache.
    case verificationFailed(path: String, expected: String, actual: String)
    /// Writing into the cache failed (disk full, permissions); the partial file was removed.
    case writeFailed(path: String, reason: String)
    /// A cache file or folder could not be created or read.
    case cacheFailure(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidEnvironment(let variable, let value):
            return "\(variable)='\(value)' is not usable: set it to a URL such as https://huggingface.co, or unset it."
        case .invalidRepoIdentifier(let repo):
            return "'\(repo)' is not a Hugging Face repo id: use 'name' or 'organisation/name', for example 'stabilityai/sd-turbo'."
        case .unauthorized(let repo, let tokenWasSent):
            let hint = tokenWasSent
                ? "The token in HF_TOKEN was refused: check that it is valid and has read access."
                : "Set HF_TOKEN to a token with read access (https://huggingface.co/settings/tokens)."
            return "The hub refused access to '\(repo)' (401: private or gated repo). \(hint)"
        case .forbidden(let repo):
            return "The hub refused access to '\(repo)' (403: gated repo). Accept its terms on the repo page with the account whose token is in HF_TOKEN, then retry."
        case .repoNotFound(let repo):
            return "The repo '\(repo)' was not found on the hub (404). Check the spelling; if it is private, set HF_TOKEN."
        case .revisionNotFound(let repo, let revision):
            return "The revision '\(revision)' of '\(repo)' was not found (404). Use an existing branch, tag or full commit hash."
        case .fileNotFound(let repo, let revision, let path):
            return "The file '\(path)' is not in '\(repo)' at revision '\(revision)' (404). Check the path against the repo's file list."
        case .unexpectedStatus(let url, let status):
            return "The hub answered HTTP \(status) for \(url). Retry later; if it persists, check HF_ENDPOINT."
        case .malformedResponse(let url, let reason):
            return "The answer from \(url) is not what a Hugging Face hub sends (\(reason)). Check that HF_ENDPOINT points to a hub."
        case .networkUnavailable(let endpoint, let repo, let reason, let cachedRevisions):
            let cached = cachedRevisions.isEmpty
                ? "Nothing of '\(repo)' is in the cache: connect to the network (or set HF_ENDPOINT to a reachable mirror) and retry."
                : "The cache holds '\(repo)' at \(cachedRevisions.joined(separator: ", ")): set HF_HUB_OFFLINE=1 to use it without the network."
            return "Cannot reach the hub at \(endpoint) (\(reason)). \(cached)"
        case .transferFailed(let path, let attempts, let reason):
            return "Downloading '\(path)' failed after \(attempts) attempts (\(reason)). Run again: the download resumes where it stopped."
        case .notCachedOffline(let repo, let revision, let path, let cachedRevisions):
            let what = path.map { "'\($0)' of '\(repo)'" } ?? "'\(repo)'"
            let cached = cachedRevisions.isEmpty
                ? "Nothing of '\(repo)' is cached."
                : "Cached commits: \(cachedRevisions.joined(separator: ", "))."
            return "Offline mode (HF_HUB_OFFLINE=1): \(what) at revision '\(revision)' is not in the cache. \(cached) Unset HF_HUB_OFFLINE and connect to download it."
        case .verificationFailed(let path, let expected, let actual):
            return "The download of '\(path)' is corrupt (expected \(expected), got \(actual)); it was discarded and nothing was cached. Run again; if it persists, report it to the repo owner."
        case .writeFailed(let path, let reason):
            return "Could not write '\(path)' (\(reason)); the partial file was removed. Free disk space or set HF_HUB_CACHE to a folder on a larger disk, then retry."
        case .cacheFailure(let path, let reason):
            return "The hub cache at '\(path)' cannot be used (\(reason)). Check its permissions or set HF_HUB_CACHE to a writable folder."
        }
    }
}

extension HubError: LocalizedError {
    public var errorDescription: String? { description }
}
