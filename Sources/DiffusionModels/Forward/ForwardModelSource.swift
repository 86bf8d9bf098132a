import Foundation

/// Where ``NetworkComponent`` loads its network from: a diffusers folder (the component's own
/// or a pipeline's), or a single-file checkpoint (a `.safetensors` file, see
/// ``SingleFileCheckpoint`` and, for SD3, ``SD3SingleFileCheckpoint``), described by `configurationFolder` or by the built-in SD1.5/SD2.1
/// configurations. Only the network that runs is read.
enum ForwardModelSource {
    case folder(String)
    case singleFile(SingleFileCheckpoint, configurationFolder: String?)
    /// An SD3/SD3.5 single file (``SD3SingleFileCheckpoint``).
    case sd3SingleFile(SD3SingleFileCheckpoint, configurationFolder: String?)

    /// Reads `model`: an existing regular file ending in `.safetensors` is a single-file
    /// checkpoint (opened and detected now); anything else is a folder, as before.
    /// `configurationFolder` applies to single files only.
    init(model: String, configurationFolder: String?) throws {
        var isDirectory: ObjCBool = false
        let isFile = FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory) && !isDirectory.boolValue
        if isFile && model.lowercased().hasSuffix(".safetensors") {
            if SD3SingleFileCheckpoint.holdsSD3(path: model) {
                self = .sd3SingleFile(try SD3SingleFileCheckpoint(path: model), configurationFolder: configurationFolder)
                return
            }
            self = .singleFile(try SingleFileCheckpoint(path: model), configurationFolder: configurationFolder)
            return
        }
        if let configurationFolder {
            throw ModelLoadingError.invalidInput(
                name: "config", reason: "'\(configurationFolder)' describes a single-file checkpoint, but the model '\(model)' is not a .safetensors file")
        }
        self = .folder(model)
    }

    func unet(loras: [LoRAReference]) throws -> UNet2DConditionModel {
        switch self {
        case .folder(let folder): return try UNet2DConditionModel(folder: folder, loras: loras)
        case let .singleFile(checkpoint, configurationFolder):
            return try checkpoint.loadUNet(configurationFolder: configurationFolder, loras: loras)
        case let .sd3SingleFile(checkpoint, _):
            throw ModelLoadingError.invalidInput(name: "model", reason: "\(checkpoint.path) is an SD3 checkpoint: it has a transformer, not a UNet")
        }
    }

    /// The text encoder in `subfolder` of a folder; a single-file checkpoint holds the first one.
    func textEncoder(subfolder: String = "text_encoder", loras: [LoRAReference]) throws -> CLIPTextModel {
        switch self {
        case .folder(let folder): return try CLIPTextModel(folder: folder, subfolder: subfolder, loras: loras)
        case let .singleFile(checkpoint, _) where subfolder != "text_encoder":
            throw ModelLoadingError.invalidInput(
                name: "model", reason: "\(checkpoint.path) is a single-file checkpoint; \(subfolder) needs a diffusers folder (a pipeline folder with \(subfolder)/, or the encoder's own folder)")
        case let .singleFile(checkpoint, configurationFolder):
            return try checkpoint.loadTextEncoder(configurationFolder: configurationFolder, loras: loras)
        case let .sd3SingleFile(checkpoint, configurationFolder):
            return try checkpoint.loadTextEncoder(subfolder: subfolder, configurationFolder: configurationFolder, loras: loras)
        }
    }

    func autoencoder() throws -> AutoencoderKL {
        switch self {
        case .folder(let folder): return try AutoencoderKL(folder: folder)
        case let .singleFile(checkpoint, configurationFolder):
            return try checkpoint.loadAutoencoder(configurationFolder: configurationFolder)
        case let .sd3SingleFile(checkpoint, configurationFolder):
            return try checkpoint.loadAutoencoder(configurationFolder: configurationFolder)
        }
    }

    /// SD3's transformer from a folder (its own, or a pipeline's `transformer/`) or an SD3 single file.
    func transformer(component: String) throws -> SD3Transformer2DModel {
        switch self {
        case .folder(let folder): return try SD3Transformer2DModel(folder: folder)
        case let .sd3SingleFile(checkpoint, configurationFolder):
            return try checkpoint.loadTransformer(configurationFolder: configurationFolder, loras: [])
        case .singleFile(let checkpoint, _):
            throw ModelLoadingError.invalidInput(
                name: "model", reason: "\(checkpoint.path) is a single-file checkpoint; \(component) needs a diffusers folder (a pipeline folder with transformer/, or the transformer's own folder)")
        }
    }

    /// The TAESD folder; a single-file checkpoint holds no TAESD.
    func tinyAutoencoderFolder(component: String) throws -> String {
        switch self {
        case .folder(let folder): return folder
        case .singleFile(let checkpoint, _):
            throw ModelLoadingError.invalidInput(
                name: "model", reason: "\(checkpoint.path) is a single-file checkpoint (UNet, text encoder, VAE); \(component) needs a TAESD folder")
        case .sd3SingleFile(let checkpoint, _):
            throw ModelLoadingError.invalidInput(
                name: "model", reason: "\(checkpoint.path) is a single-file checkpoint (transformer, text encoders, VAE); \(component) needs a TAESD folder")
        }
    }
}
