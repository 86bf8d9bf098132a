import NIOCore
import NIOWebSocket

/// Answers a WebSocket frame over the frame limit with an `error` message, then closes with
/// 1009 (docs/PROTOCOL.md "Limits").
///
/// NIO's frame decoder refuses such a frame from its header, before buffering its payload, by
/// raising `NIOWebSocketError.invalidFrameLength`; NIO's default handling then sends a bare close
/// frame and drops the connection, so the client never learns why. This handler sits right after
/// the decoder and takes that error first: it sends the `error` message and a close frame with
/// code 1009 (message too big), then closes its output once they are written (a FIN after them,
/// not a reset that could discard them), discards whatever the client still sends (the rest of
/// the frame, its close reply) and closes the connection when the client does, or after
/// `closeTimeout`. Writes from the session after that are refused (`ChannelError.outputClosed`).
final class OversizedFrameHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// The `error` message (JSON text) sent before closing.
    private let errorMessage: String
    private let closeTimeout: TimeAmount
    private var closing = false
    private var closeDeadline: Scheduled<Void>?

    init(errorMessage: String, closeTimeout: TimeAmount = .seconds(10)) {
        self.errorMessage = errorMessage
        self.closeTimeout = closeTimeout
    }

    /// Puts a handler right after the WebSocket frame decoder of `channel` (an upgraded
    /// connection); call it before the session sends anything.
    static func install(on channel: any Channel, errorMessage: String) async throws {
        try await channel.eventLoop.submit {
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(OversizedFrameHandler(errorMessage: errorMessage), position: .after(decoder))
        }.get()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Once closing, the decoder reports every further read as an error: discard them.
        guard !closing else { return }
        guard let webSocketError = error as? NIOWebSocketError, webSocketError == .invalidFrameLength else {
            context.fireErrorCaught(error)
            return
        }
        closing = true
        let text = context.channel.allocator.buffer(string: errorMessage)
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: text)), promise: nil)
        var code = context.channel.allocator.buffer(capacity: 2)
        code.write(webSocketErrorCode: .messageTooLarge)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: code)), promise: written)
        let loopBoundContext = context.loopBound
        written.futureResult.whenComplete { _ in
            let context = loopBoundContext.value
            let outputClosed = context.eventLoop.makePromise(of: Void.self)
            context.close(mode: .output, promise: outputClosed)
            outputClosed.futureResult.whenFailure { _ in loopBoundContext.value.close(promise: nil) }
        }
        closeDeadline = context.eventLoop.scheduleTask(in: closeTimeout) { loopBoundContext.value.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closeDeadline?.cancel()
        closeDeadline = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if closing, let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !closing else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension OversizedFrameHandler: Sendable {}
