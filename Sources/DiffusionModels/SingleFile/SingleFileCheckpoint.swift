import Foundation
import TensorRuntime

/// A Stable Diffusion 1.x/2.x checkpoint in one `.safetensors` file with the original (CompVis
/// LDM / A1111) key layout — `model.diffusion_model.*` (UNet), `first_stage_model.*` (VAE),
/// `cond_stage_model.transformer.*` (SD1 CLIP) or `cond_stage_model.model.*` (SD2 OpenCLIP) —
/// as model sites distribute them. Loading converts the keys to diffusers' on the fly
/// (``load(configurationFolder:loras:)``); see docs/SINGLE_FILE.md.
///
/// ```swift
/// let checkpoint = try SingleFileCheckpoint(path: "v1-5-pruned-emaonly.safetensors")
/// let model = try checkpoint.load(configurationFolder: nil, loras: [])
/// ```
public struct SingleFileCheckpoint: Sendable {
    /// The file.
    public let path: String
    /// The family, detected from the tensor names and shapes.
    public let architecture: StableDiffusionArchitecture
    let file: SafeTensorsFile
    let layout: SingleFileLayout

    /// Opens and validates `path` (header, offsets, the file's length: a truncated file is an
    /// error giving the expected and the actual size) and detects its architecture. Throws
    /// ``SingleFileError/unsupportedArchitecture(path:found:)`` for the SDXL refiner, SD3,
    /// inpainting UNets, LoRA files, VAE-only files and the like. SDXL base checkpoints open (their
    /// weights convert with ``components(configurationFolder:)``).
    public init(path: String) throws {
        file = try SingleFileHeader.open(path: path)
        self.path = path
        layout = try SingleFileLayout(shapes: file.entries.mapValues(\.shape), path: path)
        architecture = layout.architecture
    }

    /// Loads the UNet, the text encoder(s) and the VAE, converted to diffusers keys (SDXL: both
    /// text encoders, the second as `CLIPTextModelWithProjection`).
    ///
    /// - Parameters:
    ///   - configurationFolder: a diffusers folder whose `unet/`, `text_encoder/` and `vae/`
    ///     `config.json` describe the file (`--config DIR`; needed for any model whose shapes
    ///     differ from SD1.5 / SD2.1); nil uses the built-in configurations and reports a file
    ///     that does not fit them as ``SingleFileError/doesNotMatchBuiltInConfiguration(path:architecture:detail:)``.
    ///   - loras: LoRA files fused into the UNet and the text encoders, in order, as
    ///     ``UNet2DConditionModel/init(folder:loras:)`` does.
    /// - Throws: ``SingleFileError`` for keys that belong to no network, ``ModelLoadingError``
    ///   for missing or mis-shaped parameters (naming the diffusers key) and unused ones (naming
    ///   the file's key), ``LoRAError`` for a LoRA that does not fit (or, outside SDXL, has layers
    ///   for SDXL's second text encoder).
    public func load(configurationFolder: String?, loras: [LoRAReference]) throws -> SingleFileModel {
        let prepared = try prepare(configurationFolder: configurationFolder)
        let loraWeights = try readLoRAs(loras)
        let unet = try buildUNet(prepared, loras: loraWeights)
        try Task.checkCancellation()
        let textEncoder = try buildTextEncoder(prepared, loras: loraWeights)
        try Task.checkCancellation()
        let textEncoder2 = try buildSecondTextEncoder(prepared, loras: loraWeights)
        try Task.checkCancellation()
        let autoencoder = try buildAutoencoder(prepared)
        return SingleFileModel(architecture: architecture, unet: unet, textEncoder: textEncoder, textEncoder2: textEncoder2,
                               autoencoder: autoencoder, schedulerConfigurationJSON: prepared.configurations.schedulerJSON)
    }

    /// Loads only the UNet (with `loras` fused into it), as ``load(configurationFolder:loras:)``
    /// would, without reading the text encoder's or the VAE's tensors.
    public func loadUNet(configurationFolder: String?, loras: [LoRAReference]) throws -> UNet2DConditionModel {
        try buildUNet(prepare(configurationFolder: configurationFolder), loras: readLoRAs(loras))
    }

    /// Loads only the text encoder (with `loras` fused into it), as
    /// ``load(configurationFolder:loras:)`` would, without reading the UNet's or the VAE's tensors.
    public func loadTextEncoder(configurationFolder: String?, loras: [LoRAReference]) throws -> CLIPTextModel {
        try buildTextEncoder(prepare(configurationFolder: configurationFolder), loras: readLoRAs(loras))
    }

    /// Loads only the VAE, as ``load(configurationFolder:loras:)`` would, without reading the
    /// UNet's or the text encoder's tensors.
    public func loadAutoencoder(configurationFolder: String?) throws -> AutoencoderKL {
        try buildAutoencoder(prepare(configurationFolder: configurationFolder))
    }

    /// The configurations of the file's networks and their key conversion.
    typealias Prepared = (configurations: SingleFileConfigurations, conversion: SingleFileConversion)
    /// A LoRA file read, with its strength.
    private typealias ScaledLoRA = (weights: LoRAWeights, scale: Float)

    /// The configurations (checked against the file's shapes when built in) and the key
    /// conversion of all three networks; reads the header only.
    func prepare(configurationFolder: String?) throws -> Prepared {
        let configurations = try configurationFolder.map { try SingleFileConfigurations.folder($0, architecture: architecture) }
            ?? SingleFileConfigurations.builtIn(architecture)
        if configurations.isBuiltIn {
            try layout.checkBuiltIn(unet: configurations.unet, textEncoder: configurations.textEncoder,
                                    textEncoder2: configurations.textEncoder2, path: path)
        }
        let conversion = try SingleFileConversion(file: file, architecture: architecture, configurations: configurations)
        return (configurations, conversion)
    }

    /// Reads `loras`, refusing layers for SDXL's second text encoder unless this is an SDXL checkpoint,
    /// and SD3 transformer layers (a single file holds a UNet).
    private func readLoRAs(_ loras: [LoRAReference]) throws -> [ScaledLoRA] {
        let read = try loras.map { (weights: try LoRAWeights(path: $0.path), scale: $0.scale) }
        for (weights, _) in read {
            try weights.checkSecondTextEncoder(present: architecture == .stableDiffusionXL)
            try weights.checkDenoiser(.unet)
        }
        return read
    }

    private func buildUNet(_ prepared: Prepared, loras: [ScaledLoRA]) throws -> UNet2DConditionModel {
        let (configurations, conversion) = prepared
        return try build(conversion.unet, builtIn: configurations.isBuiltIn) { store in
            if !loras.isEmpty {
                store.overrides = try LoRAFusion.overrides(
                    for: conversion.unet.loraTarget(.unet, unetConfiguration: configurations.unet), loras: loras)
            }
            return try UNet2DConditionModel(configuration: configurations.unet, store: store)
        }
    }

    private func buildTextEncoder(_ prepared: Prepared, loras: [ScaledLoRA]) throws -> CLIPTextModel {
        let (configurations, conversion) = prepared
        return try build(conversion.textEncoder, builtIn: configurations.isBuiltIn) { store in
            if !loras.isEmpty {
                store.overrides = try LoRAFusion.overrides(
                    for: conversion.textEncoder.loraTarget(.textEncoder, unetConfiguration: nil), loras: loras)
            }
            return try CLIPTextModel(configuration: configurations.textEncoder, store: store, root: KeyPath("text_model"))
        }
    }

    /// SDXL's second text encoder (`CLIPTextModelWithProjection`); nil for SD1.x/SD2.x.
    private func buildSecondTextEncoder(_ prepared: Prepared, loras: [ScaledLoRA]) throws -> CLIPTextModel? {
        let (configurations, conversion) = prepared
        guard let weights = conversion.textEncoder2, let configuration = configurations.textEncoder2 else { return nil }
        return try build(weights, builtIn: configurations.isBuiltIn) { store in
            if !loras.isEmpty {
                store.overrides = try LoRAFusion.overrides(for: weights.loraTarget(.textEncoder2, unetConfiguration: nil), loras: loras)
            }
            return try CLIPTextModel(configuration: configuration, store: store, root: KeyPath("text_model"))
        }
    }

    private func buildAutoencoder(_ prepared: Prepared) throws -> AutoencoderKL {
        let (configurations, conversion) = prepared
        return try build(conversion.autoencoder, builtIn: configurations.isBuiltIn) { store in
            try AutoencoderKL(configuration: configurations.autoencoder, store: store)
        }
    }

    /// Builds one network from `weights` strictly (every converted tensor taken), turning
    /// parameter errors into ones that name the file's keys, or suggest `--config` when the
    /// built-in configuration was used.
    private func build<Network>(_ weights: ConvertedWeights, builtIn: Bool,
                                _ make: (ParameterStore) throws -> Network) throws -> Network {
        let store = weights.parameterStore()
        do {
            let network = try make(store)
            try store.finish()
            return network
        } catch let error as ModelLoadingError {
            let described = weights.describingSourceKeys(error)
            switch described {
            case .missingParameter, .shapeMismatch, .unusedParameters:
                if builtIn {
                    throw SingleFileError.doesNotMatchBuiltInConfiguration(path: path, architecture: architecture, detail: described.description)
                }
                throw described
            default:
                throw described
            }
        }
    }
}
