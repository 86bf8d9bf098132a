import Foundation

/// A message from a browser session (docs/PROTOCOL.md "Client to server"), validated.
enum ClientMessage: Sendable, Equatable {
    /// Creates a brush (prompt required) or changes the given fields.
    case brush(BrushFields)
    case mask(id: String, png: Data)
    case removeBrush(id: String)
    case order(ids: [String])
    /// Replaces the background; `caption` false keeps an image without a prompt uncaptioned
    /// (nil: captioned when the server has a captioner).
    case background(prompt: String?, negativePrompt: String?, imagePNG: Data?, caption: Bool? = nil)
    case seed(UInt64)
    case play
    case pause
    case palette(Data)
    case save

    /// The message's `type` on the wire (an `error` about it carries this as `request`).
    var type: String {
        switch self {
        case .brush: return "brush"
        case .mask: return "mask"
        case .removeBrush: return "remove_brush"
        case .order: return "order"
        case .background: return "background"
        case .seed: return "seed"
        case .play: return "play"
        case .pause: return "pause"
        case .palette: return "palette"
        case .save: return "save"
        }
    }

    /// The fields of a `brush` message; nil = not given.
    struct BrushFields: Sendable, Equatable {
        var id: String
        var prompt: String?
        var negativePrompt: String?
        var promptStrength: Float?
        var maskAlpha: Float?
        var maskBlur: Float?
        var name: String?
        var color: String?
    }
}

/// Why a client message was rejected; sent back as an `error` message.
struct ClientMessageError: Error, Equatable, CustomStringConvertible {
    let description: String
    /// The offending message's type, when it could be read.
    let request: String?

    /// The same error about a message of type `type` (kept when it already names one).
    func about(_ type: String) -> ClientMessageError {
        request == nil ? ClientMessageError(description, request: type) : self
    }

    init(_ description: String, request: String? = nil) {
        self.description = description
        self.request = request
    }
}
