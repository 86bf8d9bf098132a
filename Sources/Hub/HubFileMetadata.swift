import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What a `HEAD /{repo}/resolve/{revision}/{path}` tells about one file
/// (huggingface_hub's `get_hf_file_metadata`).
public struct HubFileMetadata: Sendable, Equatable {
    /// The commit the revision resolved to (`X-Repo-Commit`).
    public var commit: String
    /// The blob name: `X-Linked-Etag` (sha256, LFS files) or `ETag` (git blob sha1), without quotes or `W/`.
    public var etag: String
    /// The size in bytes (`X-Linked-Size`, else `Content-Length` of a non-redirect answer).
    public var size: Int64?
    /// Where to download from: the redirect target for LFS files, else the resolve URL.
    public var location: URL
    /// True when the file is stored in LFS (the hub sent `X-Linked-Etag`).
    public var isLargeFileStorage: Bool

    /// `_normalize_etag`: drops a weak `W/` prefix and the quotes.
    public static func normalizeEtag(_ etag: String) -> String {
        var text = etag
        if text.hasPrefix("W/") { text.removeFirst(2) }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// Reads the metadata from a HEAD answer that was not followed if it redirected.
    init(response: HTTPURLResponse, requestURL: URL) throws {
        func header(_ name: String) -> String? {
            response.value(forHTTPHeaderField: name).flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let commit = header("X-Repo-Commit") else {
            throw HubError.malformedResponse(url: requestURL.absoluteString, reason: "no X-Repo-Commit header")
        }
        let linkedEtag = header("X-Linked-Etag")
        guard let rawEtag = linkedEtag ?? header("ETag") else {
            throw HubError.malformedResponse(url: requestURL.absoluteString, reason: "no ETag header")
        }
        let isRedirect = (300..<400).contains(response.statusCode)
        self.commit = commit
        self.etag = Self.normalizeEtag(rawEtag)
        self.isLargeFileStorage = linkedEtag != nil
        self.size = header("X-Linked-Size").flatMap { Int64($0) }
            ?? (isRedirect ? nil : header("Content-Length").flatMap { Int64($0) })
        if isRedirect, let target = header("Location"), let url = URL(string: target, relativeTo: requestURL) {
            self.location = url.absoluteURL
        } else {
            self.location = requestURL
        }
        guard !etag.isEmpty, !etag.contains("/"), etag != ".", etag != ".." else {
            throw HubError.malformedResponse(url: requestURL.absoluteString, reason: "unusable ETag '\(rawEtag)'")
        }
    }
}
