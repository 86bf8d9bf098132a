import Foundation
@testable import SemanticDrawServer

/// WebSocket text messages (`ClientMessage.parse`, docs/PROTOCOL.md) and what a session does with
/// them (`SessionPalette.apply`: brushes, masks, order, background, palette import): the input is
/// one message per line, applied in order to one fresh session palette. Every rejection must be
/// a `ClientMessageError`; an accepted `order` must list the brushes.
enum ClientMessageFuzz {
    static let limits: ServerLimits = {
        var limits = ServerLimits()
        limits.imageSide = 512                              // the server's check, kept cheap per input
        return limits
    }()

    static let target = FuzzTarget(name: "client-message", prepare: {}, run: { data in
        var palette = SessionPalette(seed: 0)
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n").prefix(32) {
            guard let message = try? ClientMessage.parse(String(line), limits: limits) else { continue }
            let before = palette.brushIDs
            do {
                _ = try palette.apply(message, limits: limits)
            } catch {
                FuzzCheck.require(palette.brushIDs == before, "a refused \(message.type) changed the brushes")
                continue
            }
            FuzzCheck.require(palette.brushes.count <= limits.brushes, "more brushes than the limit")
            FuzzCheck.require(Set(palette.brushIDs).count == palette.brushIDs.count, "two brushes share an id")
        }
    })
}
