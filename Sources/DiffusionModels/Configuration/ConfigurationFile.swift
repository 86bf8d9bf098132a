import Foundation

/// Decodes a diffusers/transformers `config.json` into a typed configuration, turning decoding
/// failures into ``ModelLoadingError/invalidConfiguration(file:field:reason:)`` that name the
/// file and the JSON path of the bad field.
public enum ConfigurationFile {
    /// Reads and decodes `path`.
    public static func decode<Configuration: Decodable>(_ type: Configuration.Type, from path: String) throws -> Configuration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelLoadingError.invalidConfiguration(file: path, field: "(file)", reason: "cannot be read")
        }
        return try decode(type, data: data, name: path)
    }

    /// Decodes JSON `data`; `name` stands for the file in error messages.
    public static func decode<Configuration: Decodable>(_ type: Configuration.Type, data: Data, name path: String) throws -> Configuration {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw describe(error, file: path)
        } catch let error as ModelLoadingError {
            throw error
        } catch {
            throw ModelLoadingError.invalidConfiguration(file: path, field: "(file)", reason: "is not valid JSON: \(error)")
        }
    }

    static func describe(_ error: DecodingError, file: String) -> ModelLoadingError {
        func path(_ codingPath: [CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            return .invalidConfiguration(file: file, field: path(context.codingPath + [key]), reason: "is required but missing")
        case let .typeMismatch(type, context):
            return .invalidConfiguration(file: file, field: path(context.codingPath), reason: "has the wrong type (expected \(type))")
        case let .valueNotFound(type, context):
            return .invalidConfiguration(file: file, field: path(context.codingPath), reason: "is null (expected \(type))")
        case let .dataCorrupted(context):
            let field = context.codingPath.isEmpty ? "(file)" : path(context.codingPath)
            return .invalidConfiguration(file: file, field: field, reason: "is invalid: \(context.debugDescription)")
        @unknown default:
            return .invalidConfiguration(file: file, field: "(file)", reason: "cannot be decoded: \(error)")
        }
    }
}

/// A config field that diffusers accepts either as one value for every block or as a list with
/// one value per block (`attention_head_dim`, `layers_per_block`, `transformer_layers_per_block`).
/// This is the one place where the two forms are normalised.
public enum PerBlock<Value: Decodable & Sendable & Equatable>: Decodable, Sendable, Equatable {
    case uniform(Value)
    case list([Value])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([Value].self) {
            self = .list(list)
        } else {
            self = .uniform(try container.decode(Value.self))
        }
    }

    /// One value per block for `count` blocks; a list of another length is an error naming `field`.
    public func values(count: Int, field: String, file: String) throws -> [Value] {
        switch self {
        case .uniform(let value):
            return Array(repeating: value, count: count)
        case .list(let list):
            guard list.count == count else {
                throw ModelLoadingError.invalidConfiguration(file: file, field: field,
                    reason: "has \(list.count) entries but the model has \(count) blocks")
            }
            return list
        }
    }
}

extension KeyedDecodingContainer {
    /// Decodes an optional field, treating JSON null and absence alike, with a default.
    func value<Value: Decodable>(_ key: Key, default defaultValue: Value) throws -> Value {
        try decodeIfPresent(Value.self, forKey: key) ?? defaultValue
    }

    /// Whether `key` is absent or JSON null, whatever type its value would have.
    func decodeNilOrAbsent(_ key: Key) throws -> Bool {
        try !contains(key) || decodeNil(forKey: key)
    }
}
