import Foundation

extension HubClient {
    /// Downloads the selected files of a repo at a revision and returns the snapshot folder,
    /// `<cache>/models--org--name/snapshots/<commit>`, ready to load as a diffusers folder.
    ///
    /// Online, one request lists the repo (`/api/models/{repo}/revision/{revision}`); files already
    /// in the cache need no further request. Offline (`HF_HUB_OFFLINE=1`), the revision is read
    /// from `refs/` and no request is made.
    /// - Parameters:
    ///   - repo: `organisation/name`.
    ///   - revision: a branch, tag or full commit hash.
    ///   - matching: which files; by default a diffusers pipeline with one weights file per
    ///     component (fp16 safetensors preferred, never `.bin` when safetensors exist).
    public func snapshot(
        repo: String, revision: String = "main", matching selection: HubFileSelection = .diffusersPipeline
    ) async throws -> URL {
        let info = try await resolve(repo: repo, revision: revision)
        let folder = cache.snapshotDirectory(repo: repo, commit: info.commit)
        if configuration.offline { return folder }
        for path in selection.select(from: info.files) {
            try Task.checkCancellation()
            if cache.hasSnapshotFile(repo: repo, commit: info.commit, path: path) { continue }
            let metadata = try await metadata(repo: repo, path: path, revision: info.commit)
            try await fetchBlob(repo: repo, path: path, metadata: metadata)
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw HubError.cacheFailure(path: folder.path, reason: error.localizedDescription)
        }
        return folder
    }
}
