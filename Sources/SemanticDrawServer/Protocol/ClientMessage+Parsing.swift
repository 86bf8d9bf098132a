import Foundation

extension ClientMessage {
    /// Reads one text message. Every failure names the field and what is wrong with it; once the
    /// `type` is readable, the error carries it as `request`.
    static func parse(_ text: String, limits: ServerLimits) throws(ClientMessageError) -> ClientMessage {
        let value: MessageValue
        do {
            value = try MessageValue.parse(Data(text.utf8))
        } catch {
            throw ClientMessageError("the message is not valid JSON")
        }
        guard case .object(let object) = value else { throw ClientMessageError("the message is not a JSON object") }
        guard case .string(let type)? = object["type"] else { throw ClientMessageError("the message has no string field \"type\"") }
        let fields = MessageFields(object: object, type: type, limits: limits)
        switch type {
        case "brush":
            return .brush(BrushFields(
                id: try fields.identifier("id"), prompt: try fields.prompt("prompt"), negativePrompt: try fields.prompt("negative_prompt"),
                promptStrength: try fields.unit("prompt_strength"), maskAlpha: try fields.unit("mask_alpha"),
                maskBlur: try fields.number("mask_blur", range: 0...256), name: try fields.string("name", maximum: 200),
                color: try fields.string("color", maximum: 32)))
        case "mask":
            guard let png = try fields.pngDataURL("mask") else { throw fields.error("\"mask\" is required (a PNG data URL)") }
            return .mask(id: try fields.identifier("id"), png: png)
        case "remove_brush":
            return .removeBrush(id: try fields.identifier("id"))
        case "order":
            return .order(ids: try fields.identifiers("ids"))
        case "background":
            return .background(prompt: try fields.prompt("prompt"), negativePrompt: try fields.prompt("negative_prompt"),
                               imagePNG: try fields.pngDataURL("image"), caption: try fields.boolean("caption"))
        case "seed":
            return .seed(try fields.unsignedInteger("seed"))
        case "play": return .play
        case "pause": return .pause
        case "save": return .save
        case "palette":
            let palette = try fields.object("palette", expected: "a palette object (docs/PALETTE.md)")
            guard let data = try? MessageValue.object(palette).encoded() else {
                throw fields.error("\"palette\" must be a palette object (docs/PALETTE.md)")
            }
            return .palette(data)
        default:
            throw ClientMessageError("unknown message type \"\(type)\"", request: type)
        }
    }
}
