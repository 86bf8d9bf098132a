import Foundation
import ImageCodecs
import SemanticDraw
import TensorRuntime

/// One browser session: its stream, its palette copy, whether it plays, and the channel its
/// WebSocket writer drains. Messages are applied in arrival order; frames are computed by the
/// shared ``FrameWorker``, which this session tells when it starts and stops playing. Messages
/// are answered while a frame computes (the frame runs off this actor and off the stream's);
/// `pause` and reseeds (`seed`, `palette`) stop the frame in progress.
actor LiveSession {
    nonisolated let id: String
    let stream: StreamSession
    let configuration: ServerConfiguration
    let history: HistoryStore
    /// The worker that computes this session's frames (a strong reference: the worker drops the
    /// session when its socket closes, which ends the cycle).
    let worker: FrameWorker
    /// The shared background captioner; nil when captioning is off (`serve --captioner none`).
    let captions: CaptionService?
    private(set) var palette: SessionPalette
    private(set) var playing = false
    private var latestFrame: (index: Int, image: Tensor)?
    /// The caption of the current background computing now, and the number of the background
    /// it is for (each `background` or `palette` message makes a new one; a caption of an older
    /// one is dropped).
    var captionTask: Task<Void, Never>?
    var backgroundNumber = 0
    nonisolated let outgoing: AsyncStream<OutgoingMessage>
    private nonisolated let continuation: AsyncStream<OutgoingMessage>.Continuation

    init(id: String, models: StreamModels, configuration: ServerConfiguration, history: HistoryStore, worker: FrameWorker,
         captions: CaptionService? = nil) throws {
        self.id = id
        self.captions = captions
        self.configuration = configuration
        self.history = history
        self.worker = worker
        stream = try StreamSession(models: models, settings: configuration.stream, beforeModelCall: configuration.beforeModelCall)
        palette = SessionPalette(seed: configuration.stream.seed)
        (outgoing, continuation) = AsyncStream.makeStream(of: OutgoingMessage.self, bufferingPolicy: .bufferingNewest(64))
    }

    /// Queues `message` for the socket. Nonisolated, so messages keep the order of the calls
    /// that send them (the worker's `progress` messages included).
    nonisolated func send(_ message: OutgoingMessage) { continuation.yield(message) }
    nonisolated func finish() { continuation.finish() }

    var isPlaying: Bool { playing }

    /// Handles one text message; errors go back to the client, the palette stays as it was.
    /// Answered at once, also while a frame of this session computes; a pause or a reseed stops
    /// that frame (it sends nothing; a reseeded stream's next frame starts from the new seed).
    /// Once the message's type is known, an error about it carries the type as `request`.
    func receive(_ text: String) async {
        var request: String?
        do {
            let message = try ClientMessage.parse(text, limits: configuration.limits)
            request = message.type
            switch message {
            case .play:
                playing = true
                await sendState()
                await worker.play(self)                     // then the session hears its queue position
                return
            case .pause:
                playing = false
                await worker.pause(self)
            case .save: try await save()
            default:
                var next = palette
                let updates = try next.apply(message, limits: configuration.limits)
                palette = next
                for update in updates { stream.enqueue(update) }
                if updates.contains(where: Self.reseeds) { await worker.cancelFrame(of: self) }
                if case .background = message { restartCaptioning() }
                if case .palette = message { restartCaptioning() }
            }
            await sendState()
        } catch let error as ClientMessageError {
            let error = request.map(error.about) ?? error
            send(.text(ServerMessage.error(error.description, request: error.request)))
        } catch {
            send(.text(ServerMessage.error(request.map { "\($0): \(error)" } ?? "\(error)", request: request)))
        }
    }

    /// Changes the palette copy with `body` and returns its stream updates.
    func updatePalette(_ body: (inout SessionPalette) -> [StreamUpdate]) -> [StreamUpdate] {
        body(&palette)
    }

    /// Whether `update` restarts the stream's noise (the frame in progress is then wasted).
    static func reseeds(_ update: StreamUpdate) -> Bool {
        if case .seed = update { return true }
        return false
    }

    /// Sends the `state` message (the stream answers at once, even while a frame computes).
    func sendState() async {
        let busy = captionTask != nil ? "captioning" : await stream.hasPendingEncodings ? "encoding" : nil
        send(.text(ServerMessage.state(playing: playing, busy: busy, brushes: palette.brushIDs, seed: palette.seed)))
    }

    /// Computes one frame and sends it (a `frame` message, then the JPEG). A failing frame
    /// pauses the session and says why; a cancelled one (pause, reseed, close) sends nothing.
    /// The worker runs this in a task of its own, which ``FrameWorker/cancelFrame(of:)`` cancels,
    /// and sends the `progress` message (position 0) before it. Returns whether the session
    /// still plays (false after a failed frame).
    func computeFrame() async -> Bool {
        guard playing else { return false }
        do {
            let frame = try await stream.nextFrame()
            let image = try Image(tensor: frame.image, range: .unit)
            let jpeg = try JPEG.encode(image, quality: configuration.jpegQuality)
            latestFrame = (frame.index, frame.image)
            send(.text(ServerMessage.frame(index: frame.index, seconds: frame.seconds, reflectsLatest: frame.reflectsLatestPalette,
                                           brushes: palette.brushIDs)))
            send(.binary(jpeg))
            if await stream.hasPendingEncodings { await sendState() }
        } catch is CancellationError {
            return playing
        } catch {
            playing = false
            send(.text(ServerMessage.error("frame: \(error)", request: nil)))
            await sendState()
            return false
        }
        return playing
    }

    /// Stores the latest frame with the palette in the history.
    private func save() async throws {
        guard let latestFrame else { throw ClientMessageError("save: no frame yet (press play first)", request: "save") }
        let palette = try self.palette.palette(width: configuration.stream.width, height: configuration.stream.height,
                                               model: configuration.modelName, family: configuration.family,
                                               accelerator: configuration.accelerator,
                                               settings: configuration.stream, precision: configuration.precision)
        let png = try PNG.encode(Image(tensor: latestFrame.image, range: .unit), textChunks: palette.pngText())
        let entry = try await history.save(png: png, prompts: palette.brushes.map(\.prompt))
        send(.text(ServerMessage.saved(entry)))
    }
}
