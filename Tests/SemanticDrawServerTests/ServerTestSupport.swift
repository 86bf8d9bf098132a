import Foundation
import HummingbirdWSClient
import ImageCodecs
import Logging
import NIOCore
import SemanticDraw
@testable import SemanticDrawServer

/// A running server over the tiny-random model (TAESD decoder, 64 x 64 canvas) on a free port.
struct TestServer {
    let port: Int
    let task: Task<Void, any Error>
    let dataDirectory: String

    /// `beforeModelCall` is the stream's test seam (``HeldModelCalls/hook`` makes frames slow).
    /// `historyFileWriter` replaces the history's file writes (a disk that fills up).
    /// `captioner` is the background captioner (nil: captioning off).
    static func start(limits: ServerLimits = ServerLimits(), dataDirectory: String? = nil,
                      beforeModelCall: StreamModelCallHook? = nil,
                      historyFileWriter: (any HistoryFileWriting)? = nil, captioner: ServerCaptioner? = nil) async throws -> TestServer {
        let model = try await ModelLoader(hub: nil).load(ModelRequest(model: "tiny-random", tinyAutoencoder: "tiny-random"))
        let dataDirectory = dataDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-server-\(UUID().uuidString)").path
        var configuration = ServerConfiguration(stream: StreamSettings(height: 64, width: 64), dataDirectory: dataDirectory, modelName: "tiny-random")
        configuration.port = 0
        configuration.limits = limits
        configuration.beforeModelCall = beforeModelCall
        configuration.historyFileWriter = historyFileWriter
        configuration.captioner = captioner
        let server = SemanticDrawServer(model: model, configuration: configuration)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run(onStart: { continuation.yield($0) }) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return TestServer(port: port, task: task, dataDirectory: dataDirectory)
    }

    func stop() {
        task.cancel()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Runs `body` with one WebSocket session.
    func session(_ body: @escaping @Sendable (ProtocolConversation) async throws -> Void) async throws {
        _ = try await closingSession(body)
    }

    /// Runs `body` with one WebSocket session; returns the close frame the server sent, if any.
    func closingSession(_ body: @escaping @Sendable (ProtocolConversation) async throws -> Void) async throws -> WebSocketCloseFrame? {
        var logger = Logger(label: "test-client")
        logger.logLevel = .error
        return try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws", configuration: .init(maxFrameSize: 1 << 25),
                                                 logger: logger) { inbound, outbound, _ in
            try await body(ProtocolConversation(inbound: inbound.messages(maxSize: 1 << 25).makeAsyncIterator(), outbound: outbound))
        }
    }
}

/// One side of a conversation: send JSON, read typed messages in order.
final class ProtocolConversation: @unchecked Sendable {
    private var inbound: WebSocketInboundMessageStream.AsyncIterator
    private let outbound: WebSocketOutboundWriter

    init(inbound: WebSocketInboundMessageStream.AsyncIterator, outbound: WebSocketOutboundWriter) {
        self.inbound = inbound
        self.outbound = outbound
    }

    func send(_ object: [String: Any]) async throws {
        let data = try JSONSerialization.data(withJSONObject: object)
        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
    }

    func sendRaw(_ text: String) async throws { try await outbound.write(.text(text)) }

    /// The next message: a JSON object, or a binary payload under key "binary".
    func next() async throws -> [String: Any] {
        guard let message = try await inbound.next() else { throw ConversationError.closed }
        switch message {
        case .text(let text):
            guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { throw ConversationError.notAnObject(text) }
            return object
        case .binary(let buffer):
            return ["type": "binary", "binary": Data(buffer: buffer)]
        }
    }

    /// Reads until a message of `type`; the skipped messages are returned too.
    func next(_ type: String) async throws -> [String: Any] {
        while true {
            let message = try await next()
            if message["type"] as? String == type { return message }
        }
    }

    /// The messages up to and including the next one of `type` (binary ones as "binary").
    func messages(through type: String) async throws -> [[String: Any]] {
        var messages: [[String: Any]] = []
        while true {
            let message = try await next()
            messages.append(message)
            if message["type"] as? String == type { return messages }
        }
    }

    /// The next `frame` announcement and its JPEG.
    func nextFrame() async throws -> (info: [String: Any], jpeg: Data) {
        let info = try await next("frame")
        let binary = try await next()
        guard let jpeg = binary["binary"] as? Data else { throw ConversationError.notAnObject("expected a JPEG after frame, got \(binary)") }
        return (info, jpeg)
    }

    enum ConversationError: Error { case closed, notAnObject(String) }
}

/// A greyscale PNG mask as a data URL: `inside(x, y)` is white.
func maskDataURL(width: Int = 64, height: Int = 64, _ inside: (Int, Int) -> Bool) throws -> String {
    var pixels: [UInt8] = []
    for y in 0..<height { for x in 0..<width { pixels.append(inside(x, y) ? 255 : 0) } }
    let png = try PNG.encode(Image(width: width, height: height, channels: 1, pixels: pixels))
    return "data:image/png;base64," + png.base64EncodedString()
}

/// A slow model for tests, through the stream's ``StreamModelCallHook`` test seam: a call armed
/// with ``holdNext(_:)`` blocks its thread right before the model call, as a full-size model
/// call does, until ``release()``, until its frame's task is cancelled, or for `maximumHold`
/// seconds at most; the other calls pass at once. A held call takes one of the few threads of
/// the cooperative pool: only one test at a time may hold one (`FrameInProgressTests` is
/// serialized and the only user). Its state is NSLock-protected (the hook runs on the frames'
/// threads while the test reads it), hence `@unchecked Sendable`.
final class HeldModelCalls: @unchecked Sendable {
    /// How a held call ended: `cancelled` when its frame's task was cancelled while it was held.
    struct Outcome: Sendable, Equatable {
        let cancelled: Bool
        let seconds: Double
    }

    struct TimedOut: Error, CustomStringConvertible {
        let seconds: Double
        var description: String { "the condition did not hold within \(seconds) s" }
    }

    let maximumHold: Double
    private let lock = NSLock()
    private var armed = 0
    private var holding = false
    private var released = false
    private var callCount = 0
    private var outcomes: [Outcome] = []

    init(maximumHold: Double = 100) {
        self.maximumHold = maximumHold
    }

    /// The hook to pass as `beforeModelCall`.
    var hook: StreamModelCallHook { { [self] in self.call() } }

    /// Holds the next `count` calls.
    func holdNext(_ count: Int = 1) { lock.withLock { armed += count } }
    /// Lets the call held now go on.
    func release() { lock.withLock { released = true } }
    /// Whether a call is held now.
    var isHolding: Bool { lock.withLock { holding } }
    /// Calls so far (held or not).
    var calls: Int { lock.withLock { callCount } }
    /// How each held call ended, in order.
    var heldOutcomes: [Outcome] { lock.withLock { outcomes } }

    /// Polls until `condition` is true, at most `timeout` seconds.
    func waitUntil(timeout: Double = 60, _ condition: (HeldModelCalls) -> Bool) async throws {
        let start = ContinuousClock.now
        while !condition(self) {
            guard ContinuousClock.now - start < .seconds(timeout) else { throw TimedOut(seconds: timeout) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    private func call() {
        let holds = lock.withLock { () -> Bool in
            callCount += 1
            guard armed > 0 else { return false }
            armed -= 1
            holding = true
            released = false
            return true
        }
        guard holds else { return }
        let start = ContinuousClock.now
        var cancelled = false
        while true {
            if Task.isCancelled {
                cancelled = true
                break
            }
            if lock.withLock({ released }) || ContinuousClock.now - start > .seconds(maximumHold) { break }
            usleep(2000)                                     // blocks the thread, as a model call does
        }
        let elapsed = (ContinuousClock.now - start).components
        lock.withLock {
            holding = false
            outcomes.append(Outcome(cancelled: cancelled, seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18))
        }
    }
}
