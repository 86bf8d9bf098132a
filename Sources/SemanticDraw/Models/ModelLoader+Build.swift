import DiffusionModels
import Foundation
import Schedulers
import Tokenizer

extension ModelLoader {
    /// Builds the networks of resolved files (no network access).
    public func build(_ files: ResolvedModelFiles) throws -> LoadedModel {
        var notes: [String] = []
        let parts: (textEncoder: CLIPTextModel, tokenizer: CLIPTokenizer, unet: UNet2DConditionModel,
                    autoencoder: AutoencoderKL?, scheduler: SchedulerConfiguration)
        let needsAutoencoder = files.tinyAutoencoder == nil
        // Built once, also when both the base and the tiny autoencoder are tiny-random's.
        var tinyRandom: TinyRandomModel?
        func tinyRandomModel() throws -> TinyRandomModel {
            if let tinyRandom { return tinyRandom }
            let model = try TinyRandomModel(loras: files.base == .tinyRandom ? files.loras : [])
            tinyRandom = model
            return model
        }
        switch files.base {
        case .tinyRandom:
            notes.append(TinyRandomModel.warning)
            log("building \(TinyRandomModel.name) in memory")
            let model = try tinyRandomModel()
            parts = (model.textEncoder, try Self.tinyRandomTokenizer(), model.unet, model.autoencoder,
                     try SchedulerConfiguration(data: TinyRandomModel.schedulerConfigurationJSON, file: "(tiny-random scheduler config)"))
        case .folder(let path):
            parts = try loadFolder(path, loras: files.loras, needsAutoencoder: needsAutoencoder)
        case .singleFile(let path, let configurationFolder):
            parts = try loadSingleFile(path, configurationFolder: configurationFolder, loras: files.loras)
        }
        let autoencoder: LatentAutoencoder
        switch files.tinyAutoencoder {
        case .none:
            guard let kl = parts.autoencoder else {
                throw ModelResolutionError.componentFailed(component: "vae", path: "\(files.base)", reason: "no VAE was loaded")
            }
            autoencoder = .kl(kl)
        case .tinyRandom:
            autoencoder = .tiny(try tinyRandomModel().tinyAutoencoder)
        case .folder(let path):
            log("loading tiny autoencoder from \(path)")
            autoencoder = .tiny(try component("tiny autoencoder", path) { try AutoencoderTiny(folder: path) })
        }
        guard autoencoder.latentChannels == parts.unet.configuration.inChannels else {
            throw ModelResolutionError.componentFailed(
                component: autoencoder.name, path: "\(files.base)",
                reason: "its latents have \(autoencoder.latentChannels) channels but the UNet takes \(parts.unet.configuration.inChannels)")
        }
        guard parts.textEncoder.configuration.hiddenSize == parts.unet.configuration.crossAttentionDimension else {
            throw ModelResolutionError.componentFailed(
                component: "text encoder", path: "\(files.base)",
                reason: "hidden size \(parts.textEncoder.configuration.hiddenSize) does not match the UNet's cross-attention width \(parts.unet.configuration.crossAttentionDimension)")
        }
        let components = ModelComponents(textEncoder: parts.textEncoder, tokenizer: parts.tokenizer, unet: parts.unet,
                                         autoencoder: autoencoder, schedulerConfiguration: parts.scheduler)
        return LoadedModel(components: components, sources: files.sources, notes: notes)
    }

    /// A diffusers pipeline folder, LoRAs fused into the UNet and text encoder.
    func loadFolder(_ path: String, loras: [LoRAReference], needsAutoencoder: Bool) throws
        -> (CLIPTextModel, CLIPTokenizer, UNet2DConditionModel, AutoencoderKL?, SchedulerConfiguration) {
        let join = { (name: String) in (path as NSString).appendingPathComponent(name) }
        log("loading tokenizer and text encoder from \(path)")
        let tokenizer = try component("tokenizer", join("tokenizer")) { try CLIPTokenizer(folder: path) }
        let textEncoder = try component("text encoder", join("text_encoder")) {
            try CLIPTextModel(folder: join("text_encoder"), loras: loras)
        }
        log("loading unet from \(path)" + (loras.isEmpty ? "" : " (fusing \(loras.count) LoRA\(loras.count == 1 ? "" : "s"))"))
        let unet = try component("unet", join("unet")) { try UNet2DConditionModel(folder: join("unet"), loras: loras) }
        var autoencoder: AutoencoderKL?
        if needsAutoencoder {
            log("loading vae from \(path)")
            autoencoder = try component("vae", join("vae")) { try AutoencoderKL(folder: join("vae")) }
        }
        let scheduler = try component("scheduler", join("scheduler")) { try SchedulerConfiguration(folder: path) }
        return (textEncoder, tokenizer, unet, autoencoder, scheduler)
    }

    /// Runs `body`, naming the component and path in any error it throws.
    func component<Value>(_ name: String, _ path: String, _ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch let error as ModelResolutionError {
            throw error
        } catch {
            throw ModelResolutionError.componentFailed(component: name, path: path, reason: "\(error)")
        }
    }

    /// The tiny-random tokenizer, read from its files written to a temporary folder.
    static func tinyRandomTokenizer() throws -> CLIPTokenizer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-tokenizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, contents) in TinyRandomModel.tokenizerFiles {
            try Data(contents.utf8).write(to: folder.appendingPathComponent(name))
        }
        return try CLIPTokenizer(folder: folder.path)
    }
}
