import Foundation
import TensorRuntime

/// An SD3 / SD3.5 checkpoint in one `.safetensors` file with Stability's original key layout —
/// `model.diffusion_model.*` (the MMDiT transformer), optionally `text_encoders.clip_l.transformer.*`,
/// `text_encoders.clip_g.transformer.*`, `text_encoders.t5xxl.*` (not used) and
/// `first_stage_model.*` (the VAE) — converted to diffusers' keys at load time as diffusers 0.42.1's
/// `StableDiffusion3Pipeline.from_single_file` converts them (docs/SINGLE_FILE.md, "SD3").
///
/// ```swift
/// let checkpoint = try SD3SingleFileCheckpoint(path: "sd3.5_medium.safetensors")
/// let model = try checkpoint.load(configurationFolder: "sd35-folder", loras: [])  // text encoders from the folder
/// ```
public struct SD3SingleFileCheckpoint: Sendable {
    /// The file.
    public let path: String
    /// The published model the file's shapes name (diffusers' `infer_diffusers_model_type`);
    /// nil for other shapes, which need a configuration folder.
    public var publishedModel: SD3PublishedModel? { layout.model }
    /// Whether the file carries CLIP-L (`text_encoders.clip_l.*`); else it comes from the
    /// configuration folder.
    public var hasTextEncoder: Bool { layout.hasCLIPL }
    /// Whether the file carries CLIP-G (`text_encoders.clip_g.*`); else it comes from the
    /// configuration folder.
    public var hasTextEncoder2: Bool { layout.hasCLIPG }
    /// Whether the file carries the VAE (`first_stage_model.*`); else it comes from the
    /// configuration folder.
    public var hasAutoencoder: Bool { layout.hasAutoencoder }
    /// Whether the file carries T5 (`text_encoders.t5xxl.*`), which is never loaded.
    public var hasT5: Bool { layout.hasT5 }
    let file: SafeTensorsFile
    let layout: SD3SingleFileLayout

    /// Whether the safetensors file at `path` holds an MMDiT transformer (`joint_blocks.*`, with or
    /// without `model.diffusion_model.`); false for any file that cannot be read.
    public static func holdsSD3(path: String) -> Bool {
        guard let file = try? SafeTensorsFile(path: path) else { return false }
        return holdsSD3(keys: file.keys)
    }

    /// Whether tensor names `keys` include an MMDiT transformer's.
    public static func holdsSD3(keys: some Sequence<String>) -> Bool {
        SD3SingleFileLayout.holdsSD3(keys: keys)
    }

    /// Opens and validates `path` (a truncated file is an error giving the expected and actual
    /// size) and reads its layout. Throws ``SingleFileError/ambiguousLayout(path:detail:)`` for
    /// keys that fit more than one layout, ``SingleFileError/unsupportedArchitecture(path:found:)``
    /// for a file without MMDiT blocks.
    public init(path: String) throws {
        file = try SingleFileHeader.open(path: path)
        self.path = path
        layout = try SD3SingleFileLayout(shapes: file.entries.mapValues(\.shape), path: path)
    }

    /// Loads the transformer, both CLIP text encoders and the VAE: from the file when it has them,
    /// else from `configurationFolder`'s `text_encoder/`, `text_encoder_2/` and `vae/` (config
    /// and weights). LoRAs fuse into the transformer and the text encoders, in order.
    ///
    /// - Parameters:
    ///   - configurationFolder: a diffusers SD3 folder describing the file (`--config DIR`):
    ///     `transformer/config.json`, the `config.json` of each other network the file carries,
    ///     optionally `scheduler/`; needed for shapes other than SD3 Medium, SD3.5 Medium and
    ///     SD3.5 Large, and for the networks the file lacks. nil uses the built-in configurations
    ///     of the published model the shapes name.
    ///   - loras: LoRA files (`transformer.`/PEFT layers, text-encoder layers).
    /// - Throws: ``SingleFileError`` for a layout, configuration or component problem (naming
    ///   the file, key or field), ``ModelLoadingError`` for mis-shaped or unused parameters,
    ///   ``LoRAError`` for a LoRA that does not fit.
    public func load(configurationFolder: String?, loras: [LoRAReference]) throws -> SD3SingleFileModel {
        let prepared = try prepare(configurationFolder: configurationFolder)
        let loraWeights = try readLoRAs(loras)
        let transformer = try buildTransformer(prepared, loras: loraWeights)
        try Task.checkCancellation()
        let textEncoder = try buildTextEncoder(prepared.conversion.textEncoder, configuration: prepared.configurations.textEncoder,
                                               target: .textEncoder, folder: configurationFolder, loras: loras, read: loraWeights)
        try Task.checkCancellation()
        let textEncoder2 = try buildTextEncoder(prepared.conversion.textEncoder2, configuration: prepared.configurations.textEncoder2,
                                                target: .textEncoder2, folder: configurationFolder, loras: loras, read: loraWeights)
        try Task.checkCancellation()
        let autoencoder = try buildAutoencoder(prepared, folder: configurationFolder)
        return SD3SingleFileModel(publishedModel: layout.model, transformer: transformer, textEncoder: textEncoder,
                                  textEncoder2: textEncoder2, autoencoder: autoencoder,
                                  schedulerConfigurationJSON: prepared.configurations.schedulerJSON, hasT5: layout.hasT5)
    }

    /// Loads only the transformer (with `loras` fused into it), as
    /// ``load(configurationFolder:loras:)`` would, without reading the other networks' tensors.
    public func loadTransformer(configurationFolder: String?, loras: [LoRAReference]) throws -> SD3Transformer2DModel {
        try buildTransformer(prepare(configurationFolder: configurationFolder), loras: readLoRAs(loras))
    }

    /// Loads only one text encoder (`subfolder` "text_encoder": CLIP-L, "text_encoder_2": CLIP-G),
    /// as ``load(configurationFolder:loras:)`` would, without reading the other networks' tensors.
    public func loadTextEncoder(subfolder: String, configurationFolder: String?, loras: [LoRAReference]) throws -> CLIPTextModel {
        guard subfolder == "text_encoder" || subfolder == "text_encoder_2" else {
            throw ModelLoadingError.invalidInput(name: "model", reason: "\(path) is an SD3 checkpoint; its text encoders are text_encoder and text_encoder_2, not \(subfolder)")
        }
        let prepared = try prepare(configurationFolder: configurationFolder)
        let first = subfolder == "text_encoder"
        return try buildTextEncoder(first ? prepared.conversion.textEncoder : prepared.conversion.textEncoder2,
                                    configuration: first ? prepared.configurations.textEncoder : prepared.configurations.textEncoder2,
                                    target: first ? .textEncoder : .textEncoder2, folder: configurationFolder, loras: loras,
                                    read: readLoRAs(loras))
    }

    /// Loads only the VAE (from the file, else the configuration folder's `vae/`).
    public func loadAutoencoder(configurationFolder: String?) throws -> AutoencoderKL {
        try buildAutoencoder(prepare(configurationFolder: configurationFolder), folder: configurationFolder)
    }

    /// The configurations and the key conversion; reads the header only. Checks the inferred
    /// transformer shape against the configuration (built-in or the folder's).
    func prepare(configurationFolder: String?) throws -> (configurations: SD3SingleFileConfigurations, conversion: SD3SingleFileConversion) {
        let configurations: SD3SingleFileConfigurations
        let described: String
        if let configurationFolder {
            configurations = try .folder(configurationFolder, layout: layout)
            described = "\(configurationFolder)/transformer/config.json"
        } else if let model = layout.model {
            configurations = try .builtIn(model)
            described = "the built-in \(model.displayName) configuration"
        } else {
            throw SingleFileError.sd3ConfigurationMismatch(
                path: path, configuration: "any published SD3 model",
                detail: "\(layout.layerCount) blocks, caption_projection_dim \(layout.captionProjectionDimension.map(String.init) ?? "?"), "
                    + "pos_embed_max_size \(layout.positionEmbeddingMaximumSize.map(String.init) ?? "?"): not SD3 Medium, SD3.5 Medium or SD3.5 Large, "
                    + "and the heads cannot be told from the shapes")
        }
        var differences = layout.differences(from: configurations.transformer)
        if configurations.builtIn != nil {
            if let width = layout.clipLHiddenSize, let configured = configurations.textEncoder?.hiddenSize, width != configured {
                differences.append("CLIP-L width \(width), expected \(configured)")
            }
            if let width = layout.clipGHiddenSize, let configured = configurations.textEncoder2?.hiddenSize, width != configured {
                differences.append("CLIP-G width \(width), expected \(configured)")
            }
        }
        if !differences.isEmpty {
            throw SingleFileError.sd3ConfigurationMismatch(path: path, configuration: described, detail: differences.joined(separator: "; "))
        }
        return (configurations, try SD3SingleFileConversion(file: file, layout: layout, configurations: configurations))
    }

    private typealias Prepared = (configurations: SD3SingleFileConfigurations, conversion: SD3SingleFileConversion)
    private typealias ScaledLoRA = (weights: LoRAWeights, scale: Float)

    private func readLoRAs(_ loras: [LoRAReference]) throws -> [ScaledLoRA] {
        let read = try loras.map { (weights: try LoRAWeights(path: $0.path), scale: $0.scale) }
        for (weights, _) in read { try weights.checkDenoiser(.transformer) }
        return read
    }

    private func buildTransformer(_ prepared: Prepared, loras: [ScaledLoRA]) throws -> SD3Transformer2DModel {
        let weights = prepared.conversion.transformer
        return try build(weights) { store in
            if !loras.isEmpty {
                store.overrides = try LoRAFusion.overrides(for: weights.loraTarget(.transformer, unetConfiguration: nil), loras: loras)
            }
            return try SD3Transformer2DModel(configuration: prepared.configurations.transformer, store: store)
        }
    }

    /// One CLIP encoder: converted from the file, else the configuration folder's `subfolder`.
    private func buildTextEncoder(_ weights: ConvertedWeights?, configuration: CLIPTextConfiguration?, target: LoRATarget,
                                  folder: String?, loras: [LoRAReference], read: [ScaledLoRA]) throws -> CLIPTextModel {
        let subfolder = target == .textEncoder ? "text_encoder" : "text_encoder_2"
        guard let weights, let configuration else {
            let (component, prefix) = target == .textEncoder
                ? ("CLIP-L text encoder", SD3SingleFileLayout.clipLPrefix) : ("CLIP-G text encoder", SD3SingleFileLayout.clipGPrefix)
            guard let folder, Self.hasWeights(folder: folder, subfolder: subfolder, baseName: "model") else {
                throw SingleFileError.missingSD3Component(path: path, component: component, prefix: prefix, folder: folder, subfolder: subfolder)
            }
            return try CLIPTextModel(folder: folder, subfolder: subfolder, loras: loras)
        }
        return try build(weights) { store in
            if !read.isEmpty {
                store.overrides = try LoRAFusion.overrides(for: weights.loraTarget(target, unetConfiguration: nil), loras: read)
            }
            return try CLIPTextModel(configuration: configuration, store: store, root: KeyPath("text_model"))
        }
    }

    private func buildAutoencoder(_ prepared: Prepared, folder: String?) throws -> AutoencoderKL {
        guard let weights = prepared.conversion.autoencoder, let configuration = prepared.configurations.autoencoder else {
            guard let folder, Self.hasWeights(folder: folder, subfolder: "vae", baseName: "diffusion_pytorch_model") else {
                throw SingleFileError.missingSD3Component(path: path, component: "VAE", prefix: SingleFileLayout.autoencoderPrefix,
                                                          folder: folder, subfolder: "vae")
            }
            return try AutoencoderKL(folder: (folder as NSString).appendingPathComponent("vae"))
        }
        return try build(weights) { store in try AutoencoderKL(configuration: configuration, store: store) }
    }

    /// Whether `folder/subfolder` has a `config.json` and `baseName(.fp16).safetensors` weights.
    private static func hasWeights(folder: String, subfolder: String, baseName: String) -> Bool {
        let component = (folder as NSString).appendingPathComponent(subfolder) as NSString
        return ["config.json"].allSatisfy { FileManager.default.fileExists(atPath: component.appendingPathComponent($0)) }
            && ["\(baseName).safetensors", "\(baseName).fp16.safetensors"].contains {
                FileManager.default.fileExists(atPath: component.appendingPathComponent($0))
            }
    }

    /// Builds one network strictly (every converted tensor taken); unused parameters are named
    /// by the file's keys.
    private func build<Network>(_ weights: ConvertedWeights, _ make: (ParameterStore) throws -> Network) throws -> Network {
        let store = weights.parameterStore()
        do {
            let network = try make(store)
            try store.finish()
            return network
        } catch let error as ModelLoadingError {
            throw weights.describingSourceKeys(error)
        }
    }
}

/// The networks of an SD3/SD3.5 single file, loaded (see ``SD3SingleFileCheckpoint/load(configurationFolder:loras:)``).
public struct SD3SingleFileModel: Sendable {
    /// The published model the shapes name, nil for others.
    public let publishedModel: SD3PublishedModel?
    public let transformer: SD3Transformer2DModel
    /// CLIP-L (`CLIPTextModelWithProjection`; from the file its projection is the identity).
    public let textEncoder: CLIPTextModel
    /// CLIP-G (`CLIPTextModelWithProjection`).
    public let textEncoder2: CLIPTextModel
    public let autoencoder: AutoencoderKL
    /// `scheduler_config.json`: the configuration folder's, else the built-in
    /// `FlowMatchEulerDiscreteScheduler` (shift 3.0) of SD3 Medium or SD3.5.
    public let schedulerConfigurationJSON: Data
    /// Whether the file carries T5 (`text_encoders.t5xxl.*`), which is not loaded.
    public let hasT5: Bool
}
