import DiffusionModels
import Foundation

/// What a `--model` value (or a palette's `model`) names, decided without touching the network.
public enum ModelReference: Sendable, Equatable {
    /// The built-in tiny model with random weights (`tiny-random`).
    case tinyRandom
    /// The built-in tiny SDXL with random weights (`tiny-random-xl`).
    case tinyRandomXL
    /// The built-in tiny SD3 with random weights (`tiny-random-sd3`).
    case tinyRandomSD3
    /// A diffusers pipeline folder (`model_index.json`, `unet/`, `text_encoder/`, ...).
    case folder(path: String)
    /// A single-file checkpoint in the original Stable Diffusion (LDM) key layout.
    case singleFile(path: String)
    /// A Hugging Face hub repo, `org/name`, at `revision` (`org/name@rev`; default "main").
    case hubRepository(id: String, revision: String)

    /// Reads `name`: "tiny-random", "tiny-random-xl" or "tiny-random-sd3"; else an existing folder or file; else a repo id
    /// (`org/name`, optionally `@revision`). A path that does not exist and is not shaped like
    /// a repo id is an error.
    public init(parsing name: String) throws(ModelResolutionError) {
        if name == TinyRandomModel.name {
            self = .tinyRandom
            return
        }
        if name == TinyRandomXLModel.name {
            self = .tinyRandomXL
            return
        }
        if name == TinyRandomSD3Model.name {
            self = .tinyRandomSD3
            return
        }
        let expanded = (name as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                self = .folder(path: expanded)
                return
            }
            guard expanded.lowercased().hasSuffix(".safetensors") else {
                let reason = [".ckpt", ".pt", ".pth", ".bin"].contains(where: { expanded.lowercased().hasSuffix($0) })
                    ? "pickle checkpoints cannot be read safely; convert it to .safetensors (or use the model's diffusers folder)"
                    : "not a .safetensors checkpoint or a model folder"
                throw .unsupportedFile(path: expanded, reason: reason)
            }
            self = .singleFile(path: expanded)
            return
        }
        if let (id, revision) = Self.repositoryID(name) {
            self = .hubRepository(id: id, revision: revision)
            return
        }
        throw .notFound(name: name)
    }

    /// The built-in models' names (`tiny-random`, `tiny-random-xl`, `tiny-random-sd3`): random
    /// weights, built in memory; presets fuse no accelerator LoRA into them.
    public static let builtInNames = [TinyRandomModel.name, TinyRandomXLModel.name, TinyRandomSD3Model.name]

    /// `org/name` or `org/name@revision` with the hub's allowed characters, else nil.
    static func repositoryID(_ text: String) -> (String, String)? {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let id = String(parts[0])
        let revision = parts.count > 1 ? String(parts[1]) : "main"
        guard !revision.isEmpty else { return nil }
        let segments = id.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 2 else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        for segment in segments {
            guard !segment.isEmpty, segment.count <= 96, segment.allSatisfy(allowed.contains),
                  !segment.hasPrefix("-"), !segment.hasPrefix("."), !segment.contains("..") else { return nil }
        }
        return (id, revision)
    }
}
