import Foundation

/// One JSON value of a client message, with its JSON type kept: a boolean is never a number
/// (`JSONSerialization` hands `true` over as an `NSNumber` that reads as 1), and integers keep
/// all their digits (a seed may be any `UInt64`).
enum MessageValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written as an integer that fits `Int64` (also `1.0` and `1e3`).
    case integer(Int64)
    /// An integer above `Int64.max` that fits `UInt64`.
    case unsignedInteger(UInt64)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([MessageValue])
    case object([String: MessageValue])

    /// The value's JSON type as error messages name it ("a boolean", "a string", ...).
    var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .unsignedInteger, .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// The numeric value as a `Double`, nil for anything but a number.
    var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .unsignedInteger(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    /// Reads one JSON text (any top-level value).
    static func parse(_ data: Data) throws -> MessageValue {
        try JSONDecoder().decode(MessageValue.self, from: data)
    }

    /// The value as JSON text again (integers exact).
    func encoded() throws -> Data {
        try JSONEncoder().encode(self)
    }
}

extension MessageValue: Codable {
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Strings first (the big ones, masks as data URLs, then cost one attempt); booleans
        // before numbers: JSONDecoder reads neither as the other.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .unsignedInteger(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([MessageValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: MessageValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .unsignedInteger(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
