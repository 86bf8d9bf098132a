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

    static func start(limits: ServerLimits = ServerLimits(), dataDirectory: String? = nil) async throws -> TestServer {
        let model = try await ModelLoader(hub: nil).load(ModelRequest(model: "tiny-random", tinyAutoencoder: "tiny-random"))
        let dataDirectory = dataDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-server-\(UUID().uuidString)").path
        var configuration = ServerConfiguration(stream: StreamSettings(height: 64, width: 64), dataDirectory: dataDirectory, modelName: "tiny-random")
        configuration.port = 0
        configuration.limits = limits
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
        var logger = Logger(label: "test-client")
        logger.logLevel = .error
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws", configuration: .init(maxFrameSize: 1 << 25), logger: logger) {
            inbound, outbound, _ in
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
