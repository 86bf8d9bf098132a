import Captioning
import DiffusionModels
import Foundation
import Hub
import TensorRuntime

/// Resolves a captioner name (`--captioner`, `caption --model`) and loads it: `tiny-random`
/// (built in memory), a BLIP-2 OPT folder, or a Hugging Face repo id whose configs, tokenizer,
/// processor config and safetensors weights are downloaded into the shared cache (resumable,
/// verified, with progress; reused by Python tools). Nothing is fetched or loaded until asked.
public struct CaptionerLoader: Sendable {
    /// The captioner of the SemanticDraw authors' app.
    public static let defaultName = "Salesforce/blip2-opt-2.7b"
    /// `--captioner none`: no captioning.
    public static let noneName = "none"

    /// The files of a BLIP-2 repo that captioning reads (weights as safetensors only; the
    /// tokenizer's slow files too, read when a snapshot has no `tokenizer.json`).
    public static let repositoryPatterns = [
        "config.json", "generation_config.json", "model.safetensors", "model-*.safetensors", "model.safetensors.index.json",
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "processor_config.json", "preprocessor_config.json",
        "vocab.json", "merges.txt", "added_tokens.json",
    ]

    /// Whether `name` names a BLIP-2 repo by its id: `org/name[@revision]` whose name starts with
    /// `blip2-` (Salesforce/blip2-opt-2.7b and its siblings), so `download NAME` fetches it as a
    /// captioner rather than a diffusion model.
    public static func isCaptionerRepository(_ name: String) -> Bool {
        guard let (id, _) = ModelReference.repositoryID(name), !FileManager.default.fileExists(atPath: (name as NSString).expandingTildeInPath) else {
            return false
        }
        return id.split(separator: "/").last.map { $0.lowercased().hasPrefix("blip2-") } ?? false
    }

    /// The hub client for repo ids; nil refuses them.
    public let hub: HubClient?
    /// Receives one line per step.
    public let log: @Sendable (String) -> Void

    public init(hub: HubClient?, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.hub = hub
        self.log = log
    }

    /// The local folder for `name` (downloading a repo when needed); nil for `tiny-random`.
    public func fetch(_ name: String) async throws -> String? {
        if name == TinyRandomCaptioner.name { return nil }
        let expanded = (name as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ModelResolutionError.unsupportedFile(path: expanded, reason: "a captioner is a BLIP-2 folder (config.json, weights, tokenizer.json), not a file")
            }
            return expanded
        }
        guard let (id, revision) = ModelReference.repositoryID(name) else {
            throw ModelResolutionError.notFound(name: name)
        }
        guard let hub else {
            throw ModelResolutionError.unusableRepository(repo: id, reason: "the hub is not available here (no client configured)")
        }
        let info = try await hub.resolve(repo: id, revision: revision)
        guard info.files.contains("config.json") else {
            throw ModelResolutionError.unusableRepository(repo: id, reason: "has no config.json: not a BLIP-2 model")
        }
        log("fetching captioner \(id)@\(revision)")
        let folder = try await hub.snapshot(repo: id, revision: info.commit, matching: .patterns(Self.repositoryPatterns))
        return folder.path
    }

    /// Fetches and loads the captioner `name`, its weight matrices in `precision` (bf16: the
    /// linear layers' weights are packed as bfloat16 while loading and the float32 pages of the
    /// mapped file released, about half the memory; docs/CAPTIONING.md).
    public func load(_ name: String, precision: Precision = .fp32) async throws -> Blip2Captioner {
        guard let folder = try await fetch(name) else {
            log(TinyRandomCaptioner.warning)
            return try ParameterStore.$loadingPrecision.withValue(precision) { try TinyRandomCaptioner.make() }
        }
        try Task.checkCancellation()
        log("loading captioner from \(folder)" + (precision == .fp32 ? "" : " (\(precision.rawValue) weights)"))
        return try ParameterStore.$loadingPrecision.withValue(precision) { try Blip2Captioner(folder: folder) }
    }
}
