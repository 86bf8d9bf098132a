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
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 2, let (id, revision) = ModelReference.repositoryID(parts[0] + "/" + parts[1]),
              name.hasSuffix(".safetensors") else {
            throw ModelResolutionError.unsupportedFile(
                path: name, reason: "\(purpose): no such file, and not a file of a Hugging Face repo (org/name/file.safetensors)")
        }
        let path = parts.dropFirst(2).joined(separator: "/")
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
}
