import Foundation
import Hub
import SemanticDraw

/// Model loading for the commands: the hub client from the environment (HF_ENDPOINT, HF_HOME,
/// HF_TOKEN, HF_HUB_OFFLINE), log lines on standard error, tiny-random's warning up front.
enum ModelLoading {
    static func load(_ request: ModelRequest) async throws -> LoadedModel {
        let loader = ModelLoader(hub: try HubClientFactory.make(), log: { printError($0) })
        let model = try await loader.load(request)
        for note in model.notes { printError(note) }
        return model
    }
}

/// The hub client every command uses.
enum HubClientFactory {
    static func make() throws -> HubClient { try HubClient.fromEnvironment() }
}
