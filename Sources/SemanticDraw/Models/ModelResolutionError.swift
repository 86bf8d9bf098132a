/// Why a model named on the command line (or in a palette) could not be found or loaded.
/// Every message says what was looked for and what to do next.
public enum ModelResolutionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Neither an existing path nor something shaped like a repo id.
    case notFound(name: String)
    /// A folder that lacks what a diffusers pipeline folder needs.
    case notAModelFolder(path: String, missing: [String])
    /// A file that is not a `.safetensors` checkpoint.
    case unsupportedFile(path: String, reason: String)
    /// A hub repo that holds neither a diffusers pipeline nor one single-file checkpoint.
    case unusableRepository(repo: String, reason: String)
    /// A LoRA or tiny autoencoder given by repo id whose weights file cannot be chosen.
    case ambiguousAddOn(repo: String, candidates: [String])
    /// `--config` used where it does not apply, or pointing at something unusable.
    case invalidConfiguration(path: String, reason: String)
    /// A part of the model failed to load (the underlying error's message).
    case componentFailed(component: String, path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let name):
            return "model '\(name)': no such file or folder, and not a Hugging Face repo id (org/name); "
                + "pass a diffusers folder, a .safetensors checkpoint, a repo id or 'tiny-random'"
        case .notAModelFolder(let path, let missing):
            return "\(path) is not a diffusers model folder: missing \(missing.joined(separator: ", "))"
        case .unsupportedFile(let path, let reason):
            return "\(path): \(reason)"
        case .unusableRepository(let repo, let reason):
            return "hub repo \(repo): \(reason)"
        case .ambiguousAddOn(let repo, let candidates):
            return "hub repo \(repo) has several weights files (\(candidates.joined(separator: ", "))); "
                + "download the one you want and pass its path"
        case .invalidConfiguration(let path, let reason):
            return "--config \(path): \(reason)"
        case .componentFailed(let component, let path, let reason):
            return "cannot load the \(component) of \(path): \(reason)"
        }
    }
}
