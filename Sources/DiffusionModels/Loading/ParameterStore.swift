import TensorRuntime

/// Hands out a checkpoint's tensors by their exact key, checking each shape against what the
/// config implies, and remembers which keys were taken so that ``finish()`` can reject a file
/// with parameters the model does not use. Loading is therefore strict in both directions.
public final class ParameterStore {
    /// The weights file, for error messages.
    public let path: String
    private let file: SafeTensorsFile
    private var taken: Set<String> = []
    private let ignoredKeys: Set<String>
    /// Replacement tensors by key (e.g. LoRA-fused weights); shapes are checked all the same.
    public var overrides: [String: Tensor] = [:]

    /// Opens `path`; `ignoredKeys` are non-parameter buffers some checkpoints carry
    /// (e.g. CLIP's `position_ids`) and are neither required nor reported as unused.
    public init(path: String, ignoredKeys: Set<String> = []) throws {
        do {
            file = try SafeTensorsFile(path: path)
        } catch let error as SafeTensorsError {
            throw ModelLoadingError.safeTensors(error)
        }
        self.path = path
        self.ignoredKeys = ignoredKeys
    }

    /// All keys in the file.
    public var keys: [String] { file.keys }

    /// The tensor stored under `key`, which must have `shape`.
    public func take(_ key: String, shape: [Int]) throws -> Tensor {
        let tensor: Tensor
        if let override = overrides[key] {
            tensor = override
        } else {
            guard let entry = file.entries[key] else { throw ModelLoadingError.missingParameter(key: key, file: path) }
            guard entry.shape == shape else {
                throw ModelLoadingError.shapeMismatch(key: key, expected: shape, found: entry.shape, file: path)
            }
            do {
                tensor = try file.tensor(key)
            } catch let error as SafeTensorsError {
                throw ModelLoadingError.safeTensors(error)
            }
        }
        guard tensor.shape == shape else {
            throw ModelLoadingError.shapeMismatch(key: key, expected: shape, found: tensor.shape, file: path)
        }
        taken.insert(key)
        return tensor
    }

    /// Fails if any key of the file was not taken (apart from the ignored buffers).
    public func finish() throws {
        let unused = file.keys.filter { !taken.contains($0) && !ignoredKeys.contains($0) }
        if !unused.isEmpty { throw ModelLoadingError.unusedParameters(keys: unused, file: path) }
    }
}

/// A key prefix while building a network: `prefix.appending("down_blocks", 0)` gives
/// `down_blocks.0`, so keys are spelled exactly as in the checkpoint.
public struct KeyPath: Sendable, CustomStringConvertible {
    public let description: String

    public init(_ root: String = "") { description = root }

    /// The path extended by components joined with dots.
    public func appending(_ components: CustomStringConvertible...) -> KeyPath {
        let tail = components.map(\.description).joined(separator: ".")
        return KeyPath(description.isEmpty ? tail : description + "." + tail)
    }

    /// The full key of a parameter under this path.
    public func key(_ name: String) -> String { description.isEmpty ? name : description + "." + name }
}
