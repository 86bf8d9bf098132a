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
    /// ``SingleFileError/unsupportedArchitecture(path:found:)`` for SDXL, SD3, inpainting UNets,
    /// LoRA files, VAE-only files and the like.
    public init(path: String) throws {
        do {
            file = try SafeTensorsFile(path: path)
        } catch let error as SafeTensorsError {
            if case .truncated = error, let expected = SingleFileHeader.expectedSize(path: path),
               let actual = SingleFileHeader.actualSize(path: path), expected > actual {
                throw SingleFileError.truncated(path: path, expectedBytes: expected, actualBytes: actual)
            }
            throw ModelLoadingError.safeTensors(error)
        }
        self.path = path
        layout = try SingleFileLayout(shapes: file.entries.mapValues(\.shape), path: path)
        architecture = layout.architecture
    }

    /// Loads the UNet, text encoder and VAE, converted to diffusers keys.
    ///
    /// - Parameters:
    ///   - configurationFolder: a diffusers folder whose `unet/`, `text_encoder/` and `vae/`
    ///     `config.json` describe the file (`--config DIR`; needed for any model whose shapes
    ///     differ from SD1.5 / SD2.1); nil uses the built-in configurations and reports a file
    ///     that does not fit them as ``SingleFileError/doesNotMatchBuiltInConfiguration(path:architecture:detail:)``.
    ///   - loras: LoRA files fused into the UNet and the text encoder, in order, as
    ///     ``UNet2DConditionModel/init(folder:loras:)`` does.
    /// - Throws: ``SingleFileError`` for keys that belong to no network, ``ModelLoadingError``
    ///   for missing or mis-shaped parameters (naming the diffusers key) and unused ones (naming
    ///   the file's key), ``LoRAError`` for a LoRA that does not fit.
    public func load(configurationFolder: String?, loras: [LoRAReference]) throws -> SingleFileModel {
        let configurations = try configurationFolder.map { try SingleFileConfigurations.folder($0, architecture: architecture) }
            ?? SingleFileConfigurations.builtIn(architecture)
        if configurations.isBuiltIn {
            try layout.checkBuiltIn(unet: configurations.unet, textEncoder: configurations.textEncoder, path: path)
        }
        let conversion = try SingleFileConversion(file: file, architecture: architecture, configurations: configurations)
        let loraWeights = try loras.map { (weights: try LoRAWeights(path: $0.path), scale: $0.scale) }

        let unet = try build(conversion.unet, builtIn: configurations.isBuiltIn) { store in
            if !loraWeights.isEmpty {
                store.overrides = try LoRAFusion.overrides(
                    for: conversion.unet.loraTarget(.unet, unetConfiguration: configurations.unet), loras: loraWeights)
            }
            return try UNet2DConditionModel(configuration: configurations.unet, store: store)
        }
        try Task.checkCancellation()
        let textEncoder = try build(conversion.textEncoder, builtIn: configurations.isBuiltIn) { store in
            if !loraWeights.isEmpty {
                store.overrides = try LoRAFusion.overrides(
                    for: conversion.textEncoder.loraTarget(.textEncoder, unetConfiguration: nil), loras: loraWeights)
            }
            return try CLIPTextModel(configuration: configurations.textEncoder, store: store, root: KeyPath("text_model"))
        }
        try Task.checkCancellation()
        let autoencoder = try build(conversion.autoencoder, builtIn: configurations.isBuiltIn) { store in
            try AutoencoderKL(configuration: configurations.autoencoder, store: store)
        }
        return SingleFileModel(architecture: architecture, unet: unet, textEncoder: textEncoder, autoencoder: autoencoder,
                               schedulerConfigurationJSON: configurations.schedulerJSON)
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
