import Foundation
import TensorRuntime

/// A diffusers sharded checkpoint: `<base>.safetensors.index.json` (`{"weight_map": {key: file}}`)
/// and the shard files it names, in the same folder (SD3.5 Large's transformer comes so). Every
/// shard is memory-mapped and bounds-checked like a single file; a key is read from the shard the
/// index names, and must be there.
public struct ShardedWeights: Sendable {
    /// The index file, for messages.
    public let indexPath: String
    /// Every tensor's shape by key, over all shards.
    public let shapes: [String: [Int]]
    private let shards: [String: SafeTensorsFile]
    private let shardOfKey: [String: String]

    /// Reads the index at `indexPath` and opens its shards.
    /// - Throws: ``ModelLoadingError/invalidConfiguration(file:field:reason:)`` for a malformed
    ///   index or a key missing from its shard; safetensors errors for a shard that cannot be read.
    public init(indexPath: String) throws {
        self.indexPath = indexPath
        guard let data = FileManager.default.contents(atPath: indexPath),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = object["weight_map"] as? [String: String], !map.isEmpty else {
            throw ModelLoadingError.invalidConfiguration(file: indexPath, field: "weight_map",
                                                         reason: "is missing or not an object of key -> shard file name")
        }
        let folder = (indexPath as NSString).deletingLastPathComponent
        var shards: [String: SafeTensorsFile] = [:]
        for name in Set(map.values).sorted() {
            guard !name.contains("/"), name.hasSuffix(".safetensors") else {
                throw ModelLoadingError.invalidConfiguration(file: indexPath, field: "weight_map",
                                                             reason: "names '\(name)', not a .safetensors file beside the index")
            }
            do {
                shards[name] = try SafeTensorsFile(path: (folder as NSString).appendingPathComponent(name))
            } catch let error as SafeTensorsError {
                throw ModelLoadingError.safeTensors(error)
            }
        }
        var shapes: [String: [Int]] = [:]
        for (key, name) in map {
            guard let entry = shards[name]?.entries[key] else {
                throw ModelLoadingError.invalidConfiguration(file: indexPath, field: "weight_map",
                                                             reason: "puts '\(key)' in \(name), which does not hold it")
            }
            shapes[key] = entry.shape
        }
        self.shapes = shapes
        self.shards = shards
        shardOfKey = map
    }

    /// The tensor `key` (float32), from its shard.
    public func tensor(_ key: String) throws -> Tensor {
        guard let name = shardOfKey[key], let shard = shards[name] else { throw ModelLoadingError.missingParameter(key: key, file: indexPath) }
        do {
            return try shard.tensor(key)
        } catch let error as SafeTensorsError {
            throw ModelLoadingError.safeTensors(error)
        }
    }

    /// A strict store over all shards (missing, mis-shaped and unused keys are errors naming the index).
    public func parameterStore() -> ParameterStore {
        ParameterStore(name: indexPath, shapes: shapes, load: { try self.tensor($0) })
    }
}
