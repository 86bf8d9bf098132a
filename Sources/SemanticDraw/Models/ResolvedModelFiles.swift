import DiffusionModels

/// A ``ModelRequest`` with every name turned into something on this machine (hub repos
/// downloaded into the cache): what ``ModelLoader/fetch(_:)`` returns and `download` prints.
public struct ResolvedModelFiles: Sendable, Equatable {
    /// The base model.
    public enum Base: Sendable, Equatable {
        case tinyRandom
        /// The built-in tiny SDXL (`tiny-random-xl`).
        case tinyRandomXL
        /// The built-in tiny SD3 (`tiny-random-sd3`).
        case tinyRandomSD3
        /// A diffusers pipeline folder.
        case folder(path: String)
        /// An LDM-layout checkpoint, with the `--config` folder if one was given.
        case singleFile(path: String, configurationFolder: String?)
    }

    /// The tiny autoencoder.
    public enum TinyAutoencoder: Sendable, Equatable {
        /// The tiny-random model's own TAESD.
        case tinyRandom
        /// A TAESD folder (`config.json` + weights).
        case folder(path: String)
    }

    public var base: Base
    /// LoRA files (local paths) with their scales, in fusion order.
    public var loras: [LoRAReference]
    public var tinyAutoencoder: TinyAutoencoder?
    /// A local safetensors file replacing the base model's UNet weights (``ModelRequest/unetWeights``).
    public var unetWeights: String?
    /// One line per name that was resolved: "org/name@main -> <commit> (<folder>)".
    public var sources: [String]

    public init(base: Base, loras: [LoRAReference], tinyAutoencoder: TinyAutoencoder?, unetWeights: String? = nil, sources: [String]) {
        self.base = base
        self.loras = loras
        self.tinyAutoencoder = tinyAutoencoder
        self.unetWeights = unetWeights
        self.sources = sources
    }
}

extension ResolvedModelFiles.Base: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tinyRandom: return "tiny-random"
        case .tinyRandomXL: return TinyRandomXLModel.name
        case .tinyRandomSD3: return TinyRandomSD3Model.name
        case .folder(let path): return path
        case .singleFile(let path, let configuration): return path + (configuration.map { " (--config \($0))" } ?? "")
        }
    }
}
