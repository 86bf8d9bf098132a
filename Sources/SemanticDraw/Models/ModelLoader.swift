import DiffusionModels
import Foundation
import Hub

/// Turns a ``ModelRequest`` into a ``LoadedModel``: names become local files (hub repos are
/// downloaded into the Hugging Face cache, shared with Python tools), then the networks are
/// built with LoRAs fused. `--model tiny-random` needs no file and no network.
public struct ModelLoader: Sendable {
    /// The hub client for repo ids; nil refuses repo ids (with a clear error).
    public let hub: HubClient?
    /// Receives one line per step ("loading unet from ...").
    public let log: @Sendable (String) -> Void

    public init(hub: HubClient?, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.hub = hub
        self.log = log
    }

    /// Resolves and, where needed, downloads everything `request` names; loads nothing.
    public func fetch(_ request: ModelRequest) async throws -> ResolvedModelFiles {
        var sources: [String] = []
        let reference = try ModelReference(parsing: request.model)
        if request.configurationFolder != nil, !reference.isSingleFile {
            // A hub repo may still turn out to hold a single file; checked after resolving.
            if case .hubRepository = reference {} else {
                throw ModelResolutionError.invalidConfiguration(
                    path: request.configurationFolder ?? "", reason: "--config describes single-file checkpoints; '\(request.model)' is not one")
            }
        }
        let base: ResolvedModelFiles.Base
        switch reference {
        case .tinyRandom:
            base = .tinyRandom
        case .tinyRandomXL:
            base = .tinyRandomXL
        case .tinyRandomSD3:
            base = .tinyRandomSD3
        case .folder(let path):
            try Self.checkPipelineFolder(path, needsAutoencoder: request.tinyAutoencoder == nil)
            base = .folder(path: path)
        case .singleFile(let path):
            base = .singleFile(path: path, configurationFolder: try Self.checkedConfigurationFolder(request.configurationFolder))
        case .hubRepository(let id, let revision):
            base = try await fetchBaseRepository(id: id, revision: revision, request: request, sources: &sources)
        }
        var loras: [LoRAReference] = []
        for lora in request.loras {
            loras.append(LoRAReference(path: try await fetchLoRA(lora.path, sources: &sources), scale: lora.scale))
        }
        var tiny: ResolvedModelFiles.TinyAutoencoder?
        if let name = request.tinyAutoencoder {
            tiny = try await fetchTinyAutoencoder(name, sources: &sources)
        }
        var unetWeights: String?
        if let name = request.unetWeights {
            guard case .folder = base else {
                throw ModelResolutionError.unsupportedFile(
                    path: name, reason: "UNet weights replace those of a diffusers pipeline; '\(request.model)' is not one")
            }
            unetWeights = try await fetchWeightsFile(name, purpose: "UNet weights", sources: &sources)
        }
        return ResolvedModelFiles(base: base, loras: loras, tinyAutoencoder: tiny, unetWeights: unetWeights, sources: sources)
    }

    /// Fetches and builds the networks of `request`.
    public func load(_ request: ModelRequest) async throws -> LoadedModel {
        let files = try await fetch(request)
        try Task.checkCancellation()
        if request.precision != .fp32 { log("weights in \(request.precision.rawValue) (linear and convolution weight matrices)") }
        return try ParameterStore.$loadingPrecision.withValue(request.precision) { try build(files) }
    }

    /// The folders a diffusers pipeline needs, missing ones listed (`vae/` only without TAESD;
    /// SDXL's `text_encoder_2/` and `tokenizer_2/` when `model_index.json` names an XL pipeline;
    /// SD3's `transformer/` instead of `unet/`, with both second folders, when it names an SD3
    /// pipeline). A tokenizer is `vocab.json` + `merges.txt` or `tokenizer.json`. The denoiser's
    /// weights are not checked here (a folder without them fails when it loads, naming the files tried).
    static func checkPipelineFolder(_ path: String, needsAutoencoder: Bool) throws {
        let exists = { (name: String) in FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(name)) }
        var required = ["unet/config.json", "text_encoder/config.json", "scheduler/scheduler_config.json"]
        var tokenizers = ["tokenizer"]
        let family = PipelineClass.family(folder: path)
        if family == .stableDiffusion3 { required[0] = "transformer/config.json" }
        if family != .stableDiffusion1 {
            required.insert("text_encoder_2/config.json", at: 2)
            tokenizers.append("tokenizer_2")
        }
        if needsAutoencoder { required.append("vae/config.json") }
        var missing = required.filter { !exists($0) }
        for tokenizer in tokenizers where !exists(tokenizer + "/vocab.json") && !exists(tokenizer + "/tokenizer.json") {
            missing.append(tokenizer + "/vocab.json (or " + tokenizer + "/tokenizer.json)")
        }
        if !missing.isEmpty {
            throw ModelResolutionError.notAModelFolder(path: path, missing: missing)
        }
        try PipelineClass.check(folder: path)
    }

    /// `--config DIR` must be a folder with at least `unet/config.json` (SD1.x/2.x/XL) or
    /// `transformer/config.json` (SD3).
    static func checkedConfigurationFolder(_ path: String?) throws -> String? {
        guard let path else { return nil }
        let expanded = (path as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelResolutionError.invalidConfiguration(path: path, reason: "no such folder")
        }
        guard ["unet/config.json", "transformer/config.json"].contains(where: {
            FileManager.default.fileExists(atPath: (expanded as NSString).appendingPathComponent($0))
        }) else {
            throw ModelResolutionError.invalidConfiguration(path: path, reason: "not a diffusers folder (missing unet/config.json, or transformer/config.json for SD3)")
        }
        return expanded
    }
}

extension ModelReference {
    var isSingleFile: Bool {
        if case .singleFile = self { return true }
        return false
    }
}
