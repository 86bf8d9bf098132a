import Foundation
import DiffusionModels
import Hub
import SemanticDraw

/// Model loading for the commands: the hub client from the environment (HF_ENDPOINT, HF_HOME,
/// HF_TOKEN, HF_HUB_OFFLINE), log lines on standard error, tiny-random's warning up front.
enum ModelLoading {
    static func load(_ request: ModelRequest) async throws -> LoadedModel {
        let loader = ModelLoader(hub: try HubClientFactory.make(), log: { printError($0) })
        let model = try await HubUnavailableError.explaining(request) { try await loader.load(request) }
        for note in model.notes { printError(note) }
        return model
    }
}

/// The hub client every command uses.
enum HubClientFactory {
    static func make() throws -> HubClient { try HubClient.fromEnvironment() }
}

/// A model that must come from the hub while the hub cannot be reached (no network, or
/// `HF_HUB_OFFLINE=1` and not cached): the hub's own message, what needed the download (the
/// default model is fetched on first use), and the command that runs without any download.
struct HubUnavailableError: Error, CustomStringConvertible, LocalizedError {
    let underlying: HubError
    let model: String

    /// The built-in model that needs no download.
    static let offlineOption = "--model \(TinyRandomModel.name)"

    var description: String {
        let what = model == ModelRequest.defaultModelName
            ? "The default model (\(model), with its accelerator LoRA and TAESD) is downloaded from the Hugging Face hub on first use. "
            : ""
        return "\(what)\(underlying.description) To try semantic-draw without the network, use the built-in model: "
            + "\(Self.offlineOption) (random weights: the images are noise, but every command runs)."
    }

    var errorDescription: String? { description }

    /// Runs `body`, turning the hub's "unreachable" and "not cached offline" errors into this one.
    static func explaining<Result>(_ request: ModelRequest, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as HubError {
            switch error {
            case .networkUnavailable, .notCachedOffline: throw HubUnavailableError(underlying: error, model: request.model)
            default: throw error
            }
        }
    }
}
