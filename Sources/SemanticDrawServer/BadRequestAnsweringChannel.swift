import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// The HTTP/1.1 + WebSocket child channel of `serve`, answering a first request the HTTP parser
/// rejects.
///
/// Hummingbird's WebSocket upgrade channel (hummingbird-websocket 2.8.1) parses the first request
/// of a connection inside NIO's upgrade handler, which has no error handling of its own: when that
/// request is malformed (a request line of non-ASCII bytes, a space inside the target, no version)
/// the parser error passes it by, the upgrade negotiation never completes, and the connection
/// stays open with no answer until the client gives up (the `http-path` fuzz finding). Plain
/// Hummingbird answers such requests `400 Bad Request` and closes; this wrapper restores that:
/// ``FirstRequestParserErrorHandler`` sits in front of the upgrade handler until the first
/// request head has been parsed. Later requests on a kept-alive connection go through
/// Hummingbird's own HTTP handling, which already answers parser errors.
struct BadRequestAnsweringChannel: ServerChildChannel {
    /// The wrapped upgrade channel.
    let base: HTTP1WebSocketUpgradeChannel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = value.channel.pipeline.syncOperations
            let upgrader = try operations.handler(type: NIOTypedHTTPServerUpgradeHandler<HTTP1WebSocketUpgradeChannel.UpgradeResult>.self)
            try operations.addHandler(FirstRequestParserErrorHandler(), position: .before(upgrader))
            return value
        }
    }

    func handle(value: HTTP1WebSocketUpgradeChannel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Answers an HTTP parser error before the first request head `400 Bad Request`
/// (`Connection: close`, empty body), then tells the upgrade handler behind it that the input has
/// ended, so it closes the connection and ends the negotiation. Removes itself once a request
/// head has been parsed.
final class FirstRequestParserErrorHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let head = HTTPResponseHead(version: .http1_1, status: .badRequest,
                                    headers: ["Connection": "close", "Content-Length": "0"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with WebSocket upgrades, as `http1WebSocketUpgrade`, where a first request the
    /// HTTP parser rejects is answered `400 Bad Request` and its connection closed
    /// (see ``BadRequestAnsweringChannel``).
    static func answeringHTTP1WebSocketUpgrade(
        configuration: HTTP1WebSocketUpgradeChannel.Configuration,
        shouldUpgrade: @escaping @Sendable (HTTPRequest, any Channel, Logger) async throws
            -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>
    ) -> HTTPServerBuilder {
        .init { responder in
            BadRequestAnsweringChannel(base: HTTP1WebSocketUpgradeChannel(
                responder: responder, configuration: configuration, shouldUpgrade: shouldUpgrade))
        }
    }
}
