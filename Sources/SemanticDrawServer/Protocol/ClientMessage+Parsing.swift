import Foundation

extension ClientMessage {
    /// Reads one text message. Every failure names the field and what is wrong with it.
    static func parse(_ text: String, limits: ServerLimits) throws(ClientMessageError) -> ClientMessage {
        guard let data = text.data(using: .utf8),
              let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw ClientMessageError("the message is not valid JSON")
        }
        guard let object = value as? [String: Any] else { throw ClientMessageError("the message is not a JSON object") }
        guard let type = object["type"] as? String else { throw ClientMessageError("the message has no string field \"type\"") }
        let fields = Fields(object: object, type: type, limits: limits)
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
            guard let ids = object["ids"] as? [Any] else { throw fields.error("\"ids\" must be a list of brush ids") }
            return .order(ids: try ids.map { id throws(ClientMessageError) in
                guard let text = id as? String, Fields.isIdentifier(text) else { throw fields.error("\"ids\" holds \(id), not a brush id") }
                return text
            })
        case "background":
            return .background(prompt: try fields.prompt("prompt"), negativePrompt: try fields.prompt("negative_prompt"),
                               imagePNG: try fields.pngDataURL("image"))
        case "seed":
            if let seed = object["seed"] as? Int, seed >= 0 { return .seed(UInt64(seed)) }
            if let number = object["seed"] as? NSNumber, number.doubleValue >= 0,
               number.doubleValue.rounded() == number.doubleValue, number.doubleValue < 1.8446744073709552e19 {
                return .seed(number.uint64Value)
            }
            throw fields.error("\"seed\" must be an integer in 0...\(UInt64.max)")
        case "play": return .play
        case "pause": return .pause
        case "save": return .save
        case "palette":
            guard let palette = object["palette"] as? [String: Any],
                  let data = try? JSONSerialization.data(withJSONObject: palette) else {
                throw fields.error("\"palette\" must be a palette object (docs/PALETTE.md)")
            }
            return .palette(data)
        default:
            throw ClientMessageError("unknown message type \"\(type)\"", request: type)
        }
    }
}

/// Typed, bounded access to a message's fields.
struct Fields {
    let object: [String: Any]
    let type: String
    let limits: ServerLimits

    func error(_ text: String) -> ClientMessageError { ClientMessageError("\(type): \(text)", request: type) }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_"
        }
    }

    func identifier(_ key: String) throws(ClientMessageError) -> String {
        guard let text = object[key] as? String, Self.isIdentifier(text) else {
            throw error("\"\(key)\" must be a brush id (1-64 letters, digits, - or _)")
        }
        return text
    }

    func string(_ key: String, maximum: Int) throws(ClientMessageError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw error("\"\(key)\" must be a string") }
        guard text.count <= maximum else { throw error("\"\(key)\" is longer than \(maximum) characters") }
        return text
    }

    func prompt(_ key: String) throws(ClientMessageError) -> String? { try string(key, maximum: limits.promptCharacters) }

    func number(_ key: String, range: ClosedRange<Float>) throws(ClientMessageError) -> Float? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber else { throw error("\"\(key)\" must be a number") }
        let float = number.floatValue
        guard float.isFinite, range.contains(float) else { throw error("\"\(key)\" is \(number), outside \(range.lowerBound)...\(range.upperBound)") }
        return float
    }

    func unit(_ key: String) throws(ClientMessageError) -> Float? { try number(key, range: 0...1) }

    /// A `data:image/png;base64,...` URL's bytes (checked to be a PNG later, when decoded).
    func pngDataURL(_ key: String) throws(ClientMessageError) -> Data? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String, text.hasPrefix("data:image/png;base64,"),
              let data = Data(base64Encoded: String(text.dropFirst("data:image/png;base64,".count))) else {
            throw error("\"\(key)\" must be a PNG data URL (data:image/png;base64,...)")
        }
        return data
    }
}
