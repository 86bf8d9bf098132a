import Foundation
import ImageCodecs
import SemanticDraw

/// Shared set-up for the palette tests: the committed example (`Tests/Fixtures/palette`, masks
/// written by Python's zlib, not by our encoder) and temporary folders.
enum PaletteTestSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/palette")

    static var examplePath: String { fixtures.appendingPathComponent("example.json").path }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-palette-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The example palette as a mutable JSON object.
    static func exampleObject() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: examplePath))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// Decodes a JSON object as a palette whose files resolve against the fixtures folder.
    static func decode(_ object: [String: Any]) throws -> Palette {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try Palette.decode(data: data, baseFolder: fixtures.path)
    }
}
