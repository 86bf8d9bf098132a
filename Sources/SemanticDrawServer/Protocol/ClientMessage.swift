import Foundation

/// A message from a browser session (docs/PROTOCOL.md "Client to server"), validated.
enum ClientMessage: Sendable, Equatable {
    /// Creates a brush (prompt required) or changes the given fields.
    case brush(BrushFields)
    case mask(id: String, png: Data)
    case removeBrush(id: String)
    case order(ids: [String])
    case background(prompt: String?, negativePrompt: String?, imagePNG: Data?)
    case seed(UInt64)
    case play
    case pause
    case palette(Data)
    case save

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

    init(_ description: String, request: String? = nil) {
        self.description = description
        self.request = request
    }
}
