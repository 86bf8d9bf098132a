import Foundation

/// The Hugging Face cache layout, identical to `huggingface_hub` (file_download.py):
///
/// ```
/// <cache>/models--org--name/
///     blobs/<etag>                      file content, named by sha256 (LFS) or git blob sha1
///     blobs/<etag>.incomplete           a download in progress (resumed with a Range request)
///     refs/<revision>                   the commit hash a branch or tag pointed to
///     snapshots/<commit>/<path>         relative symlink to ../../blobs/<etag> (one more ../ per folder)
/// ```
public struct HubCache: Sendable {
    /// The cache root (`HF_HUB_CACHE`).
    public let rootDirectory: URL

    /// Creates a view of the cache at `rootDirectory`.
    public init(rootDirectory: URL) {
        self.rootDirectory = rootDirectory
    }

    /// `models--org--name`, as `huggingface_hub.file_download.repo_folder_name`.
    public static func repoFolderName(repo: String) -> String {
        (["models"] + repo.split(separator: "/").map(String.init)).joined(separator: "--")
    }

    /// The folder of one repo.
    public func repoDirectory(repo: String) -> URL {
        rootDirectory.appendingPathComponent(Self.repoFolderName(repo: repo), isDirectory: true)
    }

    /// `blobs/<etag>`.
    public func blobURL(repo: String, etag: String) -> URL {
        repoDirectory(repo: repo).appendingPathComponent("blobs", isDirectory: true).appendingPathComponent(etag)
    }

    /// `blobs/<etag>.incomplete`: where a download is written until it is verified.
    public func incompleteBlobURL(repo: String, etag: String) -> URL {
        repoDirectory(repo: repo).appendingPathComponent("blobs", isDirectory: true)
            .appendingPathComponent(etag + ".incomplete")
    }

    /// `snapshots/<commit>`.
    public func snapshotDirectory(repo: String, commit: String) -> URL {
        repoDirectory(repo: repo).appendingPathComponent("snapshots", isDirectory: true)
            .appendingPathComponent(commit, isDirectory: true)
    }

    /// `snapshots/<commit>/<path>`.
    public func snapshotFileURL(repo: String, commit: String, path: String) -> URL {
        snapshotDirectory(repo: repo, commit: commit).appendingPathComponent(path)
    }

    /// The commit a revision names: a full commit hash names itself; a branch or tag is read from `refs/`.
    /// Returns nil when the cache does not know the revision.
    public func cachedCommit(repo: String, revision: String) -> String? {
        if Self.isCommitHash(revision) { return revision }
        let refURL = repoDirectory(repo: repo).appendingPathComponent("refs", isDirectory: true)
            .appendingPathComponent(revision)
        guard let text = try? String(contentsOf: refURL, encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.isEmpty ? nil : commit
    }

    /// The commits with a snapshot folder, sorted.
    public func cachedCommits(repo: String) -> [String] {
        let snapshots = repoDirectory(repo: repo).appendingPathComponent("snapshots", isDirectory: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: snapshots.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// True for a full 40-character hexadecimal commit hash.
    public static func isCommitHash(_ text: String) -> Bool {
        text.count == 40 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// Writes `refs/<revision>` atomically (temporary file + rename), as huggingface_hub does.
    /// Does nothing when the revision is the commit itself or the ref already holds it.
    func writeReference(repo: String, revision: String, commit: String) throws {
        guard revision != commit else { return }
        let refURL = repoDirectory(repo: repo).appendingPathComponent("refs", isDirectory: true)
            .appendingPathComponent(revision)
        if let existing = try? String(contentsOf: refURL, encoding: .utf8), existing == commit { return }
        do {
            try FileManager.default.createDirectory(
                at: refURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = refURL.deletingLastPathComponent()
                .appendingPathComponent("\(refURL.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
            try Data(commit.utf8).write(to: temporary)
            if rename(temporary.path, refURL.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw HubError.cacheFailure(path: refURL.path, reason: reason)
            }
        } catch let error as HubError {
            throw error
        } catch {
            throw HubError.cacheFailure(path: refURL.path, reason: error.localizedDescription)
        }
    }

    /// Points `snapshots/<commit>/<path>` at `blobs/<etag>` with a relative symlink.
    func linkSnapshotFile(repo: String, commit: String, path: String, etag: String) throws {
        let destination = snapshotFileURL(repo: repo, commit: commit, path: path)
        let folderDepth = path.split(separator: "/").count - 1
        let target = String(repeating: "../", count: 2 + folderDepth) + "blobs/" + etag
        do {
            try FileManager.default.createDirectory(
                at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            unlink(destination.path)
            try FileManager.default.createSymbolicLink(atPath: destination.path, withDestinationPath: target)
        } catch {
            throw HubError.cacheFailure(path: destination.path, reason: error.localizedDescription)
        }
    }

    /// True when `snapshots/<commit>/<path>` exists and its symlink resolves to a file.
    func hasSnapshotFile(repo: String, commit: String, path: String) -> Bool {
        var isDirectory: ObjCBool = false
        let url = snapshotFileURL(repo: repo, commit: commit, path: path)
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// Every file under `snapshots/<commit>`, as repo-relative paths, sorted.
    func snapshotFiles(repo: String, commit: String) -> [String] {
        let root = snapshotDirectory(repo: repo, commit: commit)
        guard let enumerator = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if hasSnapshotFile(repo: repo, commit: commit, path: relative) { files.append(relative) }
        }
        return files.sorted()
    }
}
