import Foundation

/// Messages to a browser session (docs/PROTOCOL.md "Server to client"), as JSON text.
enum ServerMessage {
    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func error(_ message: String, request: String?) -> String {
        json(["type": "error", "message": message, "request": request ?? NSNull()])
    }

    static func ready(session: String, configuration: ServerConfiguration, slots: Int) -> String {
        json(["type": "ready", "session": session, "width": configuration.stream.width, "height": configuration.stream.height,
              "slots": slots, "model": configuration.modelName, "limits": configuration.limits.json, "notes": configuration.notes,
              "captioner": configuration.captioner?.name ?? NSNull(), "version": 1])
    }

    /// A background caption finished: `prompt` is now the background prompt; or none came
    /// (`prompt` null) and `note` says why.
    static func caption(prompt: String?, seconds: Double?, note: String?) -> String {
        json(["type": "caption", "prompt": prompt ?? NSNull(), "seconds": seconds ?? NSNull(), "note": note ?? NSNull()])
    }

    static func state(playing: Bool, busy: String?, brushes: [String], seed: UInt64) -> String {
        json(["type": "state", "playing": playing, "busy": busy ?? NSNull(), "brushes": brushes, "seed": seed])
    }

    static func frame(index: Int, seconds: Double, reflectsLatest: Bool, brushes: [String]) -> String {
        json(["type": "frame", "index": index, "seconds": seconds, "reflects_latest": reflectsLatest, "brushes": brushes])
    }

    static func progress(position: Int) -> String {
        json(["type": "progress", "stage": "frame", "session_position": position])
    }

    static func saved(_ entry: HistoryEntry) -> String {
        json(["type": "saved", "entry": entry.json])
    }
}

/// One outgoing WebSocket message.
enum OutgoingMessage: Sendable {
    case text(String)
    case binary(Data)
}
