import Foundation

/// Where a LoRA's weights are, as diffusers' `load_lora_weights` finds them (diffusers 0.42.1
/// `_best_guess_weight_name`): a `.safetensors` file is itself; a folder (a training output, a
/// downloaded adapter repo) holds its `pytorch_lora_weights.safetensors` or a single other
/// `.safetensors` file. Files whose names contain "scheduler", "optimizer" or "checkpoint" are
/// never LoRA weights. Where diffusers warns and takes the first of several candidates in
/// directory order, this refuses and lists them: the choice would depend on the file system.
public enum LoRAFile {
    /// The file name diffusers' `save_lora_weights` writes and looks for first.
    public static let diffusersWeightsName = "pytorch_lora_weights.safetensors"

    /// The outcome of ``choose(among:)``.
    public enum Choice: Equatable, Sendable {
        /// The one weights file.
        case file(String)
        /// No candidate; `ignored` are the `.safetensors` names that are not LoRA weights.
        case none(ignored: [String])
        /// Several candidates, sorted.
        case several([String])
    }

    /// The LoRA weights among `names` (the files of a folder, or the paths of a hub repo): the
    /// `.safetensors` names without "scheduler", "optimizer" or "checkpoint"; of these, those
    /// ending in `pytorch_lora_weights.safetensors` when there are any; then exactly one.
    public static func choose(among names: [String]) -> Choice {
        let weights = names.filter { $0.lowercased().hasSuffix(".safetensors") }.sorted()
        let candidates = weights.filter { name in !["scheduler", "optimizer", "checkpoint"].contains { name.contains($0) } }
        let preferred = candidates.filter { $0.hasSuffix(diffusersWeightsName) }
        let chosen = preferred.isEmpty ? candidates : preferred
        switch chosen.count {
        case 0: return .none(ignored: weights)
        case 1: return .file(chosen[0])
        default: return .several(chosen)
        }
    }

    /// The safetensors file of the LoRA at `path`: `path` itself unless it is a folder, else the
    /// folder's weights file (``choose(among:)`` over its top-level files).
    /// - Throws: ``LoRAError/noWeightsInFolder(folder:ignored:)`` or
    ///   ``LoRAError/severalWeightsInFolder(folder:candidates:)``.
    public static func resolve(_ path: String) throws(LoRAError) -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return path }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let regularFiles = names.filter { name in
            var isSubfolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(name), isDirectory: &isSubfolder)
                && !isSubfolder.boolValue
        }
        switch choose(among: regularFiles) {
        case .file(let name): return (path as NSString).appendingPathComponent(name)
        case .none(let ignored): throw .noWeightsInFolder(folder: path, ignored: ignored)
        case .several(let candidates): throw .severalWeightsInFolder(folder: path, candidates: candidates)
        }
    }
}
