import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import SemanticDraw

/// `semantic-draw serve`: the web app, the live stream over WebSockets and one-shot generation
/// over HTTP (docs/PROTOCOL.md), all sessions sharing one model worker.
public struct SemanticDrawServer: Sendable {
    let configuration: ServerConfiguration
    let models: StreamModels
    let pipeline: RegionPipeline

    /// A server over `model` (its autoencoder decodes the stream; TAESD is the fast choice).
    public init(model: LoadedModel, configuration: ServerConfiguration) {
        self.configuration = configuration
        pipeline = model.regionPipeline
        models = model.components
    }

    /// Serves until the task is cancelled; `onStart(port)` once listening (the port matters
    /// when the configuration asks for port 0).
    ///
    /// A data folder whose history cannot be made does not stop the server: clients are told in
    /// `notes`, and each `save` answers an error until the folder works.
    public func run(onStart: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let history = HistoryStore(dataDirectory: self.configuration.dataDirectory,
                                   writer: self.configuration.historyFileWriter ?? AtomicHistoryFileWriter())
        var noted = self.configuration
        do {
            try history.prepareFolder()
        } catch {
            noted.notes.append("saving is unavailable: \(error)")
            FileHandle.standardError.write(Data("semantic-draw: warning: \(error); saves will fail\n".utf8))
        }
        let configuration = noted
        let worker = FrameWorker()
        let workerTask = Task { await worker.run() }
        defer { workerTask.cancel(); Task { await worker.signal() } }
        let router = HTTPRoutes(configuration: configuration, history: history, worker: worker,
                                oneShot: OneShotGeneration(pipeline: pipeline, configuration: configuration)).makeRouter()
        let sockets = WebSocketSessions(configuration: configuration, models: models, history: history, worker: worker,
                                        captions: configuration.captioner.map(CaptionService.init))
        var logger = Logger(label: "semantic-draw")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            server: .answeringHTTP1WebSocketUpgrade(configuration: .init(ws: .init(maxFrameSize: configuration.limits.readableFrameBytes))) {
                request, channel, _ in
                guard request.path == "/ws" else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    await sockets.serve(inbound: inbound, outbound: outbound, channel: channel)
                }
            },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "semantic-draw"),
            onServerRunning: { channel in onStart(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
        try await app.runService()
    }
}
