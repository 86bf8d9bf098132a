import Foundation

extension Palette {
    /// Reads and validates the palette file at `path`; relative image files resolve against
    /// its folder.
    public static func load(path: String) throws -> Palette {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? error.localizedDescription : "no such file"
            throw PaletteError.unreadableFile(path: path, reason: reason)
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try decode(data: data, baseFolder: folder, source: path)
    }

    /// Decodes and validates palette JSON. `baseFolder` is where relative image files are
    /// (nil: the current folder); `source` names the bytes in errors.
    public static func decode(data: Data, baseFolder: String?, source: String = "data") throws -> Palette {
        // The version first, so that a future format is reported as such rather than as
        // whatever field it renamed.
        let probe: VersionProbe
        do {
            probe = try JSONDecoder().decode(VersionProbe.self, from: data)
        } catch let error as DecodingError {
            throw fieldError(error, source: source)
        } catch {
            throw PaletteError.invalidJSON(source: source, reason: "\(error)")
        }
        guard let version = probe.version else {
            throw PaletteError.invalidField(path: "version", reason: "is missing (this build reads \(readableVersions))")
        }
        guard supportedVersions.contains(version) else { throw PaletteError.unsupportedVersion(version) }
        var palette: Palette
        do {
            palette = try JSONDecoder().decode(Palette.self, from: data)
        } catch let error as DecodingError {
            throw fieldError(error, source: source)
        }
        palette.baseFolder = baseFolder
        try palette.validate()
        return palette
    }

    private struct VersionProbe: Decodable {
        let version: Int?
    }

    /// A `DecodingError` as a `PaletteError` naming the JSON path of the field.
    static func fieldError(_ error: DecodingError, source: String) -> PaletteError {
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidField(path: PaletteKeys.jsonPath(context.codingPath + [key]), reason: "is missing (required)")
        case .valueNotFound(let type, let context):
            return .invalidField(path: PaletteKeys.jsonPath(context.codingPath), reason: "is null; expected \(typeName(type))")
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return .invalidJSON(source: source, reason: "the top level is not a JSON object") }
            return .invalidField(path: PaletteKeys.jsonPath(context.codingPath), reason: "expected \(typeName(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let underlying = context.underlyingError.map { ": \($0.localizedDescription)" } ?? ""
                return .invalidJSON(source: source, reason: "\(context.debugDescription)\(underlying)")
            }
            return .invalidField(path: PaletteKeys.jsonPath(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .invalidJSON(source: source, reason: "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is UInt64.Type: return "a whole number from 0 to \(UInt64.max)"
        case is Float.Type, is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a \(name)"
        }
    }
}
