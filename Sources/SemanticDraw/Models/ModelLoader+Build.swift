import DiffusionModels
import Foundation
import Schedulers
import Tokenizer

extension ModelLoader {
    /// Builds the networks of resolved files (no network access).
    public func build(_ files: ResolvedModelFiles) throws -> LoadedModel {
        var notes: [String] = []
        let parts: LoadedParts
        let needsAutoencoder = files.tinyAutoencoder == nil
        // Built once, also when both the base and the tiny autoencoder are tiny-random's.
        var tinyRandom: TinyRandomModel?
        // The tiny autoencoder of tiny-random-xl or tiny-random-sd3 when "tiny-random" names it.
        var tinyBuiltIn: AutoencoderTiny?
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
            parts = LoadedParts(promptEncoder: PromptEncoder(tokenizer: try Self.tinyRandomTokenizer(), textEncoder: model.textEncoder),
                                unet: model.unet, autoencoder: model.autoencoder,
                                scheduler: try SchedulerConfiguration(data: TinyRandomModel.schedulerConfigurationJSON,
                                                                      file: "(tiny-random scheduler config)"))
        case .tinyRandomSD3:
            notes.append(TinyRandomSD3Model.warning)
            log("building \(TinyRandomSD3Model.name) in memory")
            let model = try TinyRandomSD3Model(loras: files.loras)
            let second = PromptEncoder.SecondEncoder(tokenizer: try Self.tinyRandomTokenizer(padToken: "!"), textEncoder: model.textEncoder2)
            let layout = PromptEncoder.SD3Layout(jointAttentionDimension: model.transformer.configuration.jointAttentionDimension)
            parts = LoadedParts(promptEncoder: PromptEncoder(tokenizer: try Self.tinyRandomTokenizer(), textEncoder: model.textEncoder,
                                                             second: second, sd3Layout: layout),
                                denoiser: model.transformer, autoencoder: model.autoencoder,
                                scheduler: try SchedulerConfiguration(data: TinyRandomSD3Model.schedulerConfigurationJSON,
                                                                      file: "(tiny-random-sd3 scheduler config)"))
            if files.tinyAutoencoder == .tinyRandom { tinyBuiltIn = model.tinyAutoencoder }
        case .tinyRandomXL:
            notes.append(TinyRandomXLModel.warning)
            log("building \(TinyRandomXLModel.name) in memory")
            let model = try TinyRandomXLModel(loras: files.loras)
            let second = PromptEncoder.SecondEncoder(tokenizer: try Self.tinyRandomTokenizer(padToken: "!"), textEncoder: model.textEncoder2)
            parts = LoadedParts(promptEncoder: PromptEncoder(tokenizer: try Self.tinyRandomTokenizer(), textEncoder: model.textEncoder,
                                                             second: second),
                                unet: model.unet, autoencoder: model.autoencoder,
                                scheduler: try SchedulerConfiguration(data: TinyRandomXLModel.schedulerConfigurationJSON,
                                                                      file: "(tiny-random-xl scheduler config)"))
            if files.tinyAutoencoder == .tinyRandom { tinyBuiltIn = model.tinyAutoencoder }
        case .folder(let path):
            parts = try loadFolder(path, loras: files.loras, unetWeights: files.unetWeights, needsAutoencoder: needsAutoencoder)
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
            autoencoder = .tiny(try tinyBuiltIn ?? tinyRandomModel().tinyAutoencoder)
        case .folder(let path):
            log("loading tiny autoencoder from \(path)")
            autoencoder = .tiny(try component("tiny autoencoder", path) { try AutoencoderTiny(folder: path) })
        }
        guard autoencoder.latentChannels == parts.denoiser.latentChannels else {
            throw ModelResolutionError.componentFailed(
                component: autoencoder.name, path: "\(files.base)",
                reason: "its latents have \(autoencoder.latentChannels) channels but the \(parts.denoiserName) takes \(parts.denoiser.latentChannels)"
                    + (autoencoder.latentChannels == 4 && parts.denoiser.latentChannels == 16 ? " (SD3 needs TAESD3, madebyollin/taesd3)" : ""))
        }
        try parts.checkWidths(path: "\(files.base)")
        let components = ModelComponents(promptEncoder: parts.promptEncoder, denoiser: parts.denoiser,
                                         autoencoder: autoencoder, schedulerConfiguration: parts.scheduler)
        return LoadedModel(components: components, sources: files.sources, notes: notes)
    }

    /// A diffusers pipeline folder, LoRAs fused into the UNet and the text encoders; SDXL's
    /// second tokenizer and text encoder when the folder is an SDXL pipeline; `unetWeights`
    /// (a safetensors file) replaces the UNet's weights under the folder's UNet configuration.
    /// An SD3 pipeline folder loads through ``loadSD3Folder(_:loras:needsAutoencoder:)``.
    func loadFolder(_ path: String, loras: [LoRAReference], unetWeights: String? = nil, needsAutoencoder: Bool) throws -> LoadedParts {
        if PipelineClass.family(folder: path) == .stableDiffusion3 {
            if let unetWeights {
                throw ModelResolutionError.unsupportedFile(path: unetWeights, reason: "UNet weights replace a UNet's; \(path) is an SD3 pipeline (a transformer)")
            }
            return try loadSD3Folder(path, loras: loras, needsAutoencoder: needsAutoencoder)
        }
        let join = { (name: String) in (path as NSString).appendingPathComponent(name) }
        log("loading tokenizer and text encoder from \(path)")
        let tokenizer = try component("tokenizer", join("tokenizer")) { try CLIPTokenizer(folder: path) }
        let textEncoder = try component("text encoder", join("text_encoder")) {
            try CLIPTextModel(folder: path, subfolder: "text_encoder", loras: loras)
        }
        var second: PromptEncoder.SecondEncoder?
        if PipelineClass.family(folder: path) == .stableDiffusionXL {
            log("loading tokenizer_2 and text_encoder_2 from \(path)")
            let tokenizer2 = try component("tokenizer_2", join("tokenizer_2")) { try CLIPTokenizer(folder: path, subfolder: "tokenizer_2") }
            let textEncoder2 = try component("text encoder 2", join("text_encoder_2")) {
                try CLIPTextModel(folder: path, subfolder: "text_encoder_2", loras: loras)
            }
            second = PromptEncoder.SecondEncoder(tokenizer: tokenizer2, textEncoder: textEncoder2)
        }
        log("loading unet from \(unetWeights.map { "\(path) with the weights of \($0)" } ?? path)"
            + (loras.isEmpty ? "" : " (fusing \(loras.count) LoRA\(loras.count == 1 ? "" : "s"))"))
        let unet = try component("unet", unetWeights ?? join("unet")) {
            try unetWeights.map { try UNet2DConditionModel(folder: path, weightsFile: $0, loras: loras) }
                ?? UNet2DConditionModel(folder: path, loras: loras)
        }
        var autoencoder: AutoencoderKL?
        if needsAutoencoder {
            log("loading vae from \(path)")
            autoencoder = try component("vae", join("vae")) { try AutoencoderKL(folder: join("vae")) }
        }
        let scheduler = try component("scheduler", join("scheduler")) { try SchedulerConfiguration(folder: path) }
        return LoadedParts(promptEncoder: PromptEncoder(tokenizer: tokenizer, textEncoder: textEncoder, second: second),
                           unet: unet, autoencoder: autoencoder, scheduler: scheduler)
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

    /// The tiny-random tokenizer, read from its files written to a temporary folder (`padToken`
    /// replaces its pad token: tiny-random-xl's second tokenizer pads with "!", as SDXL's).
    static func tinyRandomTokenizer(padToken: String? = nil) throws -> CLIPTokenizer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-tokenizer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, contents) in TinyRandomModel.tokenizerFiles {
            try Data(contents.utf8).write(to: folder.appendingPathComponent(name))
        }
        return try CLIPTokenizer(folder: folder.path, padToken: padToken)
    }
}

/// The networks of a model before the autoencoder choice: what ``ModelLoader/build(_:)`` assembles.
struct LoadedParts {
    let promptEncoder: PromptEncoder
    /// The UNet (SD1.x/SD2.x, SDXL) or SD3's transformer.
    let denoiser: any Denoiser
    let autoencoder: AutoencoderKL?
    let scheduler: SchedulerConfiguration

    init(promptEncoder: PromptEncoder, denoiser: any Denoiser, autoencoder: AutoencoderKL?, scheduler: SchedulerConfiguration) {
        self.promptEncoder = promptEncoder
        self.denoiser = denoiser
        self.autoencoder = autoencoder
        self.scheduler = scheduler
    }

    init(promptEncoder: PromptEncoder, unet: UNet2DConditionModel, autoencoder: AutoencoderKL?, scheduler: SchedulerConfiguration) {
        self.init(promptEncoder: promptEncoder, denoiser: unet, autoencoder: autoencoder, scheduler: scheduler)
    }

    /// "UNet" or "transformer", for messages.
    var denoiserName: String { denoiser is SD3Transformer2DModel ? "transformer" : "UNet" }

    /// The text encoders' widths must add up to the UNet's cross-attention width; for SD3 they
    /// must fit the transformer's `joint_attention_dim` and their projections add up to its
    /// `pooled_projection_dim`.
    func checkWidths(path: String) throws {
        if let unet = denoiser as? UNet2DConditionModel {
            guard promptEncoder.contextDimension == unet.configuration.crossAttentionDimension else {
                throw ModelResolutionError.componentFailed(
                    component: "text encoder", path: path,
                    reason: "hidden size \(promptEncoder.contextDimension) does not match the UNet's cross-attention width \(unet.configuration.crossAttentionDimension)")
            }
        }
        if let transformer = denoiser as? SD3Transformer2DModel {
            let configuration = transformer.configuration
            let hidden = promptEncoder.textEncoder.configuration.hiddenSize + (promptEncoder.second?.textEncoder.configuration.hiddenSize ?? 0)
            guard promptEncoder.sd3Layout != nil, hidden <= configuration.jointAttentionDimension,
                  promptEncoder.contextDimension == configuration.jointAttentionDimension else {
                throw ModelResolutionError.componentFailed(
                    component: "text encoders", path: path,
                    reason: "their hidden sizes add up to \(hidden), which must fit the transformer's joint_attention_dim \(configuration.jointAttentionDimension)")
            }
            guard promptEncoder.pooledDimension == configuration.pooledProjectionDimension else {
                throw ModelResolutionError.componentFailed(
                    component: "text encoders", path: path,
                    reason: "their projections add up to \(promptEncoder.pooledDimension ?? 0), but the transformer's pooled_projection_dim is \(configuration.pooledProjectionDimension)")
            }
        }
    }
}
