import DiffusionModels
import Foundation
import Hub

extension ModelLoader {
    /// The component folders generation reads from a diffusers pipeline repo of `family` (not
    /// the safety checker, feature extractor or image encoder, nor SD3's T5 `text_encoder_3/` and
    /// `tokenizer_3/`; `vae/` only when no tiny autoencoder is used).
    static func pipelineFolders(family: ModelFamily = .stableDiffusion1, needsAutoencoder: Bool) -> [String] {
        var folders = [family == .stableDiffusion3 ? "transformer" : "unet", "text_encoder", "tokenizer", "scheduler"]
        if family != .stableDiffusion1 { folders += ["text_encoder_2", "tokenizer_2"] }
        return folders + (needsAutoencoder ? ["vae"] : [])
    }

    /// The family of a pipeline repo from its file list (before anything but the listing is
    /// fetched): SD3 with `transformer/config.json`, SDXL with `text_encoder_2/config.json`.
    static func pipelineFamily(files: [String]) -> ModelFamily {
        if files.contains("transformer/config.json") { return .stableDiffusion3 }
        return files.contains("text_encoder_2/config.json") ? .stableDiffusionXL : .stableDiffusion1
    }

    func requireHub(for name: String) throws -> HubClient {
        guard let hub else {
            throw ModelResolutionError.unusableRepository(repo: name, reason: "the hub is not available here (no client configured)")
        }
        return hub
    }

    /// A pipeline repo becomes a snapshot folder with just what generation needs; a repo with
    /// no `model_index.json` but one top-level `.safetensors` file is a single-file checkpoint.
    func fetchBaseRepository(id: String, revision: String, request: ModelRequest,
                             sources: inout [String]) async throws -> ResolvedModelFiles.Base {
        let hub = try requireHub(for: id)
        let info = try await hub.resolve(repo: id, revision: revision)
        if info.files.contains("model_index.json") {
            if let configuration = request.configurationFolder {
                throw ModelResolutionError.invalidConfiguration(
                    path: configuration, reason: "\(id) is a diffusers pipeline; --config only describes single-file checkpoints")
            }
            let folders = Self.pipelineFolders(family: Self.pipelineFamily(files: info.files), needsAutoencoder: request.tinyAutoencoder == nil)
            let wanted = HubFileSelection.diffusersPipeline.select(from: info.files).filter { file in
                // With replacement UNet weights (SDXL-Lightning's), the base's own are not fetched.
                if request.unetWeights != nil, file.hasPrefix("unet/"), file != "unet/config.json" { return false }
                return file == "model_index.json" || folders.contains { file.hasPrefix($0 + "/") }
            }
            log("fetching \(id)@\(revision) (\(wanted.count) files)")
            let folder = try await hub.snapshot(repo: id, revision: info.commit, matching: .patterns(wanted.map(Self.escapedPattern)))
            sources.append("\(id)@\(revision) -> \(info.commit) (\(folder.path))")
            try Self.checkPipelineFolder(folder.path, needsAutoencoder: request.tinyAutoencoder == nil)
            return .folder(path: folder.path)
        }
        if info.files.contains("config.json") {
            throw ModelResolutionError.unusableRepository(
                repo: id, reason: "holds one diffusers component (config.json at the top, no model_index.json), not a pipeline or a "
                    + "checkpoint; a tiny autoencoder such as madebyollin/taesd goes to --tiny-vae")
        }
        let checkpoints = info.files.filter { !$0.contains("/") && $0.lowercased().hasSuffix(".safetensors") }
        guard checkpoints.count == 1, let file = checkpoints.first else {
            let reason = checkpoints.isEmpty
                ? "no model_index.json (not a diffusers pipeline) and no top-level .safetensors checkpoint"
                : "no model_index.json and several checkpoints (\(checkpoints.joined(separator: ", "))); download one and pass its path"
            throw ModelResolutionError.unusableRepository(repo: id, reason: reason)
        }
        log("fetching \(id)@\(revision)/\(file)")
        let url = try await hub.download(repo: id, path: file, revision: info.commit)
        sources.append("\(id)@\(revision) -> \(info.commit) (\(url.path))")
        return .singleFile(path: url.path, configurationFolder: try Self.checkedConfigurationFolder(request.configurationFolder))
    }

    /// A LoRA file; an adapter folder (its `pytorch_lora_weights.safetensors` or only
    /// `.safetensors` file, e.g. a PEFT adapter's `adapter_model.safetensors`); a repo id whose
    /// LoRA file is `pytorch_lora_weights.safetensors` or the repo's only `.safetensors` file; or
    /// `org/name[@revision]/path/file.safetensors`, one file of a repo that holds several (the
    /// Hyper-SD LoRAs). From a repo, the `adapter_config.json` beside the file comes too when the
    /// repo has one (PEFT adapters such as `jasperai/flash-sd3`).
    func fetchLoRA(_ name: String, sources: inout [String]) async throws -> String {
        let expanded = (name as NSString).expandingTildeInPath
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isFolder) {
            return isFolder.boolValue ? try LoRAFile.resolve(expanded) : expanded
        }
        let (repositoryName, path) = Self.splitRepositoryPath(name)
        guard let (id, revision) = ModelReference.repositoryID(repositoryName), path.map({ $0.hasSuffix(".safetensors") }) ?? true else {
            throw ModelResolutionError.unsupportedFile(
                path: name, reason: "LoRA: no such file or folder, and not a Hugging Face repo id (org/name, or org/name/file.safetensors)")
        }
        let hub = try requireHub(for: id)
        let info = try await hub.resolve(repo: id, revision: revision)
        let file: String
        if let path {
            guard info.files.contains(path) else {
                throw ModelResolutionError.unusableRepository(repo: id, reason: "has no file \(path)")
            }
            file = path
        } else {
            switch LoRAFile.choose(among: info.files) {
            case .file(let chosen): file = chosen
            case .none: throw ModelResolutionError.unusableRepository(repo: id, reason: "no .safetensors LoRA file")
            case .several(let candidates): throw ModelResolutionError.ambiguousAddOn(repo: id, candidates: candidates)
            }
        }
        log("fetching LoRA \(id)@\(revision)/\(file)")
        let url = try await hub.download(repo: id, path: file, revision: info.commit)
        // A PEFT adapter (Flash SD3's) keeps its rank and alpha in adapter_config.json beside the weights.
        let folder = (file as NSString).deletingLastPathComponent
        let configuration = folder.isEmpty ? LoRAWeights.adapterConfigurationName
            : (folder as NSString).appendingPathComponent(LoRAWeights.adapterConfigurationName)
        if info.files.contains(configuration) {
            _ = try await hub.download(repo: id, path: configuration, revision: info.commit)
        }
        sources.append("LoRA \(id)@\(revision) -> \(info.commit) (\(url.path))")
        return url.path
    }

    /// A TAESD folder, "tiny-random", or a repo id (its `config.json` and weights).
    func fetchTinyAutoencoder(_ name: String, sources: inout [String]) async throws -> ResolvedModelFiles.TinyAutoencoder {
        if name == TinyRandomModel.name { return .tinyRandom }
        let expanded = (name as NSString).expandingTildeInPath
        if FileManager.default.fileExists(atPath: expanded) { return .folder(path: expanded) }
        guard let (id, revision) = ModelReference.repositoryID(name) else {
            throw ModelResolutionError.unsupportedFile(path: name, reason: "tiny autoencoder: no such folder, and not a Hugging Face repo id (org/name)")
        }
        let hub = try requireHub(for: id)
        let info = try await hub.resolve(repo: id, revision: revision)
        let weights = ["diffusion_pytorch_model.fp16.safetensors", "diffusion_pytorch_model.safetensors"].first(where: info.files.contains)
        guard info.files.contains("config.json"), let weights else {
            throw ModelResolutionError.unusableRepository(
                repo: id, reason: "not a diffusers AutoencoderTiny (needs config.json and diffusion_pytorch_model.safetensors at the top)")
        }
        log("fetching tiny autoencoder \(id)@\(revision)")
        let folder = try await hub.snapshot(repo: id, revision: info.commit, matching: .patterns(["config.json", weights]))
        sources.append("tiny autoencoder \(id)@\(revision) -> \(info.commit) (\(folder.path))")
        return .folder(path: folder.path)
    }

    /// An exact path as an fnmatch pattern (`*`, `?` and `[` escaped with `[...]`).
    static func escapedPattern(_ path: String) -> String {
        var pattern = ""
        for character in path {
            switch character {
            case "*", "?", "[": pattern += "[\(character)]"
            default: pattern.append(character)
            }
        }
        return pattern
    }
}
