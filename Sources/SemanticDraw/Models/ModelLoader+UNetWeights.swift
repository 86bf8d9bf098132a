import DiffusionModels
import Foundation
import Hub

extension ModelLoader {
    /// A safetensors file named by a local path or by `org/name[@revision]/path/file.safetensors`
    /// (downloaded into the hub cache); `purpose` names it in messages and the sources list.
    func fetchWeightsFile(_ name: String, purpose: String, sources: inout [String]) async throws -> String {
        let expanded = (name as NSString).expandingTildeInPath
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isFolder) {
            guard !isFolder.boolValue else {
                throw ModelResolutionError.unsupportedFile(path: name, reason: "\(purpose): a folder; name the .safetensors file")
            }
            return expanded
        }
        let (repositoryName, filePath) = Self.splitRepositoryPath(name)
        guard let path = filePath, path.hasSuffix(".safetensors"), let (id, revision) = ModelReference.repositoryID(repositoryName) else {
            throw ModelResolutionError.unsupportedFile(
                path: name, reason: "\(purpose): no such file, and not a file of a Hugging Face repo (org/name/file.safetensors)")
        }
        let hub = try requireHub(for: id)
        let info = try await hub.resolve(repo: id, revision: revision)
        guard info.files.contains(path) else {
            throw ModelResolutionError.unusableRepository(repo: id, reason: "has no file \(path)")
        }
        log("fetching \(purpose) \(id)@\(revision)/\(path)")
        let url = try await hub.download(repo: id, path: path, revision: info.commit)
        sources.append("\(purpose) \(id)@\(revision) -> \(info.commit) (\(url.path))")
        return url.path
    }

    /// `org/name[@revision]/path/in/repo` split into the repository part (`org/name[@revision]`)
    /// and the path inside it; a name of at most two components is all repository (path nil).
    static func splitRepositoryPath(_ name: String) -> (repository: String, path: String?) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 2 else { return (name, nil) }
        return (parts[0] + "/" + parts[1], parts.dropFirst(2).joined(separator: "/"))
    }
}
