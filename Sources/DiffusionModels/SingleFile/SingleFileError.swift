/// Why a single-file (original Stable Diffusion / LDM layout) checkpoint could not be opened or
/// loaded; every case names the file and says what would fix it.
public enum SingleFileError: Error, Equatable, CustomStringConvertible {
    /// The file is shorter than its header says.
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// The file holds another kind of model (SDXL, SD3, an inpainting UNet, ...) or is not a
    /// checkpoint at all (a LoRA, a VAE alone, ...); `found` says what it is and how it was told.
    case unsupportedArchitecture(path: String, found: String)
    /// A network the checkpoint must carry is absent (no keys under `prefix`).
    case missingComponent(path: String, component: String, prefix: String)
    /// Keys that belong to no network of a Stable Diffusion checkpoint and are not known
    /// training leftovers.
    case unknownKeys(path: String, keys: [String])
    /// A tensor whose shape cannot be converted (e.g. an OpenCLIP `in_proj_weight` whose rows
    /// are not three equal blocks).
    case invalidTensor(path: String, key: String, shape: [Int], reason: String)
    /// The file's shapes differ from the built-in configuration of its architecture.
    case doesNotMatchBuiltInConfiguration(path: String, architecture: StableDiffusionArchitecture, detail: String)
    /// A tensor the layout needs is absent (e.g. one block's `attn.qkv.weight` in an SD3 file
    /// whose blocks run to a higher number); `reason` says why it is expected.
    case missingTensor(path: String, key: String, reason: String)
    /// The keys fit more than one layout (SD3 blocks with and without `model.diffusion_model.`,
    /// SD3 blocks next to a UNet model's text encoder, ...).
    case ambiguousLayout(path: String, detail: String)
    /// An SD3 file without `component` (no keys under `prefix`) and no `--config` folder holding
    /// its weights (`subfolder/`): `folder` is the configuration folder given, if any.
    case missingSD3Component(path: String, component: String, prefix: String, folder: String?, subfolder: String)
    /// An SD3 file's shapes differ from `configuration` (the built-in configuration of a
    /// published model, or a `--config` folder's `transformer/config.json`), or match no
    /// published model when no `--config` was given.
    case sd3ConfigurationMismatch(path: String, configuration: String, detail: String)

    public var description: String {
        switch self {
        case let .truncated(path, expected, actual):
            return "\(path) is truncated: its header describes \(expected) bytes but the file has \(actual) (download it again)"
        case let .unsupportedArchitecture(path, found):
            return "\(path): \(found)"
        case let .missingComponent(path, component, prefix):
            return "\(path) has no \(component) (no keys under '\(prefix)'): only complete Stable Diffusion 1.x/2.x/XL checkpoints load as single files (SD3 files may leave out the text encoders and VAE)"
        case let .unknownKeys(path, keys):
            let shown = keys.prefix(8).joined(separator: ", ")
            return "\(path) has \(keys.count) key(s) that belong to no Stable Diffusion 1.x/2.x/XL/3 network: \(shown)\(keys.count > 8 ? ", ..." : "")"
        case let .invalidTensor(path, key, shape, reason):
            return "\(path): tensor '\(key)' with shape \(shape) \(reason)"
        case let .doesNotMatchBuiltInConfiguration(path, architecture, detail):
            return "\(path) does not match the built-in \(architecture.displayName) configuration (\(detail)); "
                + "pass the model's configuration with --config DIR (a diffusers folder with unet/, text_encoder/ and vae/ config.json files)"
        case let .missingTensor(path, key, reason):
            return "\(path) has no tensor '\(key)' (\(reason)): the file is incomplete or not in the layout it appears to be"
        case let .ambiguousLayout(path, detail):
            return "\(path) has an ambiguous layout: \(detail); it cannot be told which model it is"
        case let .missingSD3Component(path, component, prefix, folder, subfolder):
            let source = folder.map { "the --config folder \($0) has no \(subfolder)/ weights" } ?? "no --config folder was given"
            return "\(path) has no \(component) (no keys under '\(prefix)') and \(source): "
                + "pass --config DIR, a diffusers SD3 folder whose \(subfolder)/ holds the \(component)'s config.json and weights"
        case let .sd3ConfigurationMismatch(path, configuration, detail):
            return "\(path) does not match \(configuration) (\(detail)); "
                + "pass the model's configuration with --config DIR (a diffusers SD3 folder with transformer/config.json)"
        }
    }
}
