import Foundation

/// Typed, bounded access to one client message's fields. Every accessor checks the JSON type
/// (a boolean is not a number, a number is not a string) and bounds, and its error names the
/// message type, the field, what was expected and what came.
struct MessageFields {
    let object: [String: MessageValue]
    /// The message's `type`, which every error carries as `request`.
    let type: String
    let limits: ServerLimits

    /// An error about this message: "`type`: `text`", with `request` = the message type.
    func error(_ text: String) -> ClientMessageError { ClientMessageError("\(type): \(text)", request: type) }

    /// A field of the wrong type: `"key" must be <expected>, not <what came>`.
    func wrongType(_ key: String, expected: String, got value: MessageValue) -> ClientMessageError {
        error("\"\(key)\" must be \(expected), not \(value.typeDescription)")
    }

    static let identifierRule = "a brush id (1-64 letters, digits, - or _)"

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_"
        }
    }

    /// A required brush id.
    func identifier(_ key: String) throws(ClientMessageError) -> String {
        guard let value = object[key], value != .null else { throw error("\"\(key)\" is required (\(Self.identifierRule))") }
        guard case .string(let text) = value else { throw wrongType(key, expected: Self.identifierRule, got: value) }
        guard Self.isIdentifier(text) else { throw error("\"\(key)\" must be \(Self.identifierRule); \"\(text.prefix(80))\" is not") }
        return text
    }

    /// A required list of brush ids.
    func identifiers(_ key: String) throws(ClientMessageError) -> [String] {
        guard let value = object[key], value != .null else { throw error("\"\(key)\" is required (a list of brush ids)") }
        guard case .array(let items) = value else { throw wrongType(key, expected: "a list of brush ids", got: value) }
        var ids: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else { throw wrongType("\(key)[\(index)]", expected: Self.identifierRule, got: item) }
            guard Self.isIdentifier(text) else {
                throw error("\"\(key)[\(index)]\" must be \(Self.identifierRule); \"\(text.prefix(80))\" is not")
            }
            ids.append(text)
        }
        return ids
    }

    /// An optional string (absent or null: nil).
    func string(_ key: String, maximum: Int) throws(ClientMessageError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, expected: "a string or null", got: value) }
        guard text.count <= maximum else { throw error("\"\(key)\" is longer than \(maximum) characters") }
        return text
    }

    /// An optional prompt (at most `limits.promptCharacters` characters).
    func prompt(_ key: String) throws(ClientMessageError) -> String? { try string(key, maximum: limits.promptCharacters) }

    /// An optional finite number in `range` (absent or null: nil).
    func number(_ key: String, range: ClosedRange<Float>) throws(ClientMessageError) -> Float? {
        guard let value = object[key], value != .null else { return nil }
        let expected = "a number in \(range.lowerBound)...\(range.upperBound)"
        guard let number = value.doubleValue else { throw wrongType(key, expected: expected, got: value) }
        guard number.isFinite, Double(range.lowerBound) <= number, number <= Double(range.upperBound) else {
            throw error("\"\(key)\" is \(Self.render(value)), outside \(range.lowerBound)...\(range.upperBound)")
        }
        return Float(number)
    }

    /// An optional boolean (absent or null: nil).
    func boolean(_ key: String) throws(ClientMessageError) -> Bool? {
        guard let value = object[key], value != .null else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(key, expected: "true or false", got: value) }
        return flag
    }

    /// An optional number in 0...1.
    func unit(_ key: String) throws(ClientMessageError) -> Float? { try number(key, range: 0...1) }

    /// A required integer in 0...UInt64.max.
    func unsignedInteger(_ key: String) throws(ClientMessageError) -> UInt64 {
        let expected = "an integer in 0...\(UInt64.max)"
        guard let value = object[key], value != .null else { throw error("\"\(key)\" is required (\(expected))") }
        switch value {
        case .integer(let integer) where integer >= 0: return UInt64(integer)
        case .unsignedInteger(let integer): return integer
        case .integer, .number: throw error("\"\(key)\" must be \(expected); \(Self.render(value)) is not")
        default: throw wrongType(key, expected: expected, got: value)
        }
    }

    /// An optional PNG data URL's bytes (`data:image/png;base64,...`; absent or null: nil). The
    /// bytes are checked to be a PNG when the image is decoded.
    func pngDataURL(_ key: String) throws(ClientMessageError) -> Data? {
        guard let value = object[key], value != .null else { return nil }
        let expected = "a PNG data URL (data:image/png;base64,...)"
        guard case .string(let text) = value else { throw wrongType(key, expected: expected, got: value) }
        guard text.hasPrefix(Self.pngDataURLPrefix),
              let data = Data(base64Encoded: String(text.dropFirst(Self.pngDataURLPrefix.count))) else {
            throw error("\"\(key)\" must be \(expected)")
        }
        return data
    }

    static let pngDataURLPrefix = "data:image/png;base64,"

    /// A required object.
    func object(_ key: String, expected: String) throws(ClientMessageError) -> [String: MessageValue] {
        guard let value = object[key], value != .null else { throw error("\"\(key)\" is required (\(expected))") }
        guard case .object(let fields) = value else { throw wrongType(key, expected: expected, got: value) }
        return fields
    }

    /// A number as the client wrote it: integers without a fraction.
    static func render(_ value: MessageValue) -> String {
        switch value {
        case .integer(let integer): return "\(integer)"
        case .unsignedInteger(let integer): return "\(integer)"
        case .number(let number): return "\(number)"
        default: return value.typeDescription
        }
    }
}
