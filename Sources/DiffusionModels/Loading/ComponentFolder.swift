import Foundation

/// Locates one network of a diffusers model on disk: its `config.json` and weights file.
///
/// `path` may be the component's own folder (holding `config.json`) or a pipeline folder that
/// holds it as `subfolder/`. Weights are `<base>.safetensors`, else the `<base>.fp16.safetensors`
/// variant (converted to float32 on load).
public struct ComponentFolder: Sendable, Equatable {
    /// The folder holding `config.json` and the weights.
    public let folder: String
    /// Its `config.json`.
    public let configurationPath: String
    /// The safetensors weights file.
    public let weightsPath: String

    public init(path: String, subfolder: String, weightBaseName: String) throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelLoadingError.missingConfiguration(folder: "\(path) (not a folder)")
        }
        let direct = (path as NSString).appendingPathComponent("config.json")
        let nested = ((path as NSString).appendingPathComponent(subfolder) as NSString).appendingPathComponent("config.json")
        if fileManager.fileExists(atPath: direct) {
            folder = path
        } else if fileManager.fileExists(atPath: nested) {
            folder = (path as NSString).appendingPathComponent(subfolder)
        } else {
            throw ModelLoadingError.missingConfiguration(folder: "\(path) (nor \(subfolder)/config.json)")
        }
        let folder = self.folder
        configurationPath = (folder as NSString).appendingPathComponent("config.json")
        let candidates = ["\(weightBaseName).safetensors", "\(weightBaseName).fp16.safetensors"]
        guard let found = candidates.first(where: { fileManager.fileExists(atPath: (folder as NSString).appendingPathComponent($0)) }) else {
            throw ModelLoadingError.missingWeights(folder: folder, tried: candidates)
        }
        weightsPath = (folder as NSString).appendingPathComponent(found)
    }
}
