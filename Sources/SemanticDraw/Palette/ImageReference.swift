import Foundation

/// An image a palette points to: a PNG file, or PNG bytes embedded in the JSON.
///
/// JSON: `{"file": "masks/sky.png"}` (relative to the palette file's folder, or absolute) or
/// `{"data": "data:image/png;base64,iVBORw0..."}`.
public enum ImageReference: Sendable, Equatable, Codable {
    /// A PNG file; a relative path is resolved against the palette's folder.
    case file(String)
    /// PNG bytes carried inside the palette.
    case data(Data)

    /// The prefix of an embedded image's data URL.
    public static let dataURLPrefix = "data:image/png;base64,"

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case file, data
    }

    public init(from decoder: any Decoder) throws {
        try PaletteKeys.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.stringValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let file = try container.decodeIfPresent(String.self, forKey: .file)
        let data = try container.decodeIfPresent(String.self, forKey: .data)
        switch (file, data) {
        case (let file?, nil):
            guard !file.isEmpty else {
                throw DecodingError.dataCorruptedError(forKey: .file, in: container, debugDescription: "the file path is empty")
            }
            self = .file(file)
        case (nil, let url?):
            guard url.hasPrefix(Self.dataURLPrefix) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .data, in: container,
                    debugDescription: "expected a PNG data URL starting with \"\(Self.dataURLPrefix)\", got \"\(url.prefix(30))...\"")
            }
            guard let bytes = Data(base64Encoded: String(url.dropFirst(Self.dataURLPrefix.count)), options: .ignoreUnknownCharacters) else {
                throw DecodingError.dataCorruptedError(forKey: .data, in: container, debugDescription: "the base64 data is invalid")
            }
            self = .data(bytes)
        default:
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "an image is either {\"file\": \"path.png\"} or {\"data\": \"\(Self.dataURLPrefix)...\"}"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .file(let path): try container.encode(path, forKey: .file)
        case .data(let bytes): try container.encode(Self.dataURLPrefix + bytes.base64EncodedString(), forKey: .data)
        }
    }

    /// The file's path resolved against `baseFolder` (the current folder when nil); nil for
    /// embedded data.
    public func resolvedPath(baseFolder: String?) -> String? {
        guard case .file(let path) = self else { return nil }
        if path.hasPrefix("/") { return path }
        let base = URL(fileURLWithPath: baseFolder ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        return base.appendingPathComponent(path).standardizedFileURL.path
    }
}
