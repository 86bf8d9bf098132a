import Foundation
import HummingbirdWebSocket
import NIOCore
import SemanticDraw

/// Opens a ``LiveSession`` per WebSocket, pumps its messages both ways, and frees it on close.
struct WebSocketSessions: Sendable {
    let configuration: ServerConfiguration
    let models: StreamModels
    let history: HistoryStore
    let worker: FrameWorker
    /// The shared background captioner (nil: off).
    let captions: CaptionService?

    /// Serves one upgraded connection (`channel`) until it closes.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel) async {
        guard await worker.sessionCount < configuration.limits.sessions else {
            try? await outbound.write(.text(ServerMessage.error("the server has \(configuration.limits.sessions) sessions open; try later", request: nil)))
            return
        }
        let session: LiveSession
        do {
            session = try LiveSession(id: UUID().uuidString.lowercased(), models: models, configuration: configuration, history: history,
                                  worker: worker, captions: captions)
        } catch {
            try? await outbound.write(.text(ServerMessage.error("cannot open a session: \(error)", request: nil)))
            return
        }
        // From `ready` on, a frame over the frame limit is answered with an error before the close.
        let frameLimitError = ServerMessage.error(
            "the message is larger than the frame limit of \(configuration.limits.readableFrameBytes) bytes, which the server does not read;"
                + " the connection closes (1009). Messages stay under \(configuration.limits.messageBytes) bytes", request: nil)
        do {
            try await OversizedFrameHandler.install(on: channel, errorMessage: frameLimitError)
        } catch {
            return                                          // the connection closed during the upgrade
        }
        await worker.register(session)
        let writer = Task {
            for await message in session.outgoing {
                switch message {
                case .text(let text): try? await outbound.write(.text(text))
                case .binary(let data): try? await outbound.write(.binary(ByteBuffer(bytes: data)))
                }
            }
        }
        session.send(.text(ServerMessage.ready(session: session.id, configuration: configuration, slots: session.stream.slotCount)))
        await session.sendState()
        await readMessages(inbound, into: session)
        await worker.unregister(session)                    // also stops its frame in progress
        await session.stopCaptioning()
        await session.stream.cancelPendingEncodings()
        session.finish()
        writer.cancel()
    }

    /// Assembles frames into messages; a message over the size limit is dropped with an error
    /// (the session goes on); binary messages are refused. (A single frame over the frame limit
    /// never arrives here: ``OversizedFrameHandler`` answers it.)
    private func readMessages(_ inbound: WebSocketInboundStream, into session: LiveSession) async {
        var buffer = ByteBuffer()
        var opcode: WebSocketDataFrame.Opcode = .text
        var oversized = false
        do {
            for try await frame in inbound {
                if frame.opcode != .continuation {
                    opcode = frame.opcode
                    buffer.clear()
                    oversized = false
                }
                if !oversized {
                    if buffer.readableBytes + frame.data.readableBytes > configuration.limits.messageBytes {
                        oversized = true
                        buffer.clear()
                    } else {
                        var data = frame.data
                        buffer.writeBuffer(&data)
                    }
                }
                guard frame.fin else { continue }
                if oversized {
                    session.send(.text(ServerMessage.error("the message is larger than \(configuration.limits.messageBytes) bytes", request: nil)))
                } else if opcode == .binary {
                    session.send(.text(ServerMessage.error("binary messages are not accepted; send JSON text", request: nil)))
                } else {
                    let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
                    await session.receive(text)
                }
                buffer.clear()
            }
        } catch {
            // The connection closed or broke; the session ends.
        }
    }
}
