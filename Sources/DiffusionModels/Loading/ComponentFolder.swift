import Foundation

/// Locates one network of a diffusers model on disk: its `config.json` and weights file.
///
/// `path` may be the component's own folder (holding `config.json`) or a pipeline folder that
/// holds it as `subfolder/`. Weights are `<base>.safetensors`, else the `<base>.fp16.safetensors`
/// variant (converted to float32 on load), else, where the loader reads shards (`allowsShards`:
/// SD3's transformer), a sharded checkpoint's index `<base>(.fp16).safetensors.index.json`
/// (``shardIndexPath``; ``ShardedWeights``).
public struct ComponentFolder: Sendable, Equatable {
    /// The folder holding `config.json` and the weights.
    public let folder: String
    /// Its `config.json`.
    public let configurationPath: String
    /// The safetensors weights file (the shard index for a sharded checkpoint).
    public let weightsPath: String
    /// The index of a sharded checkpoint (nil: one file).
    public let shardIndexPath: String?

    public init(path: String, subfolder: String, weightBaseName: String, allowsShards: Bool = false) throws {
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
        let indexes = allowsShards ? candidates.map { $0 + ".index.json" } : []
        guard let found = (candidates + indexes).first(where: { fileManager.fileExists(atPath: (folder as NSString).appendingPathComponent($0)) }) else {
            throw ModelLoadingError.missingWeights(folder: folder, tried: candidates + indexes)
        }
        weightsPath = (folder as NSString).appendingPathComponent(found)
        shardIndexPath = indexes.contains(found) ? weightsPath : nil
    }
}
