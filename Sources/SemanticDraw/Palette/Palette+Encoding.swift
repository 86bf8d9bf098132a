import Foundation
import ImageCodecs

extension Palette {
    /// The palette as JSON (pretty-printed, keys sorted). With `embeddingMasks`, every image
    /// reference — the brushes' masks and the background image — is embedded as PNG data, so
    /// the JSON stands alone; otherwise file references are written as they are.
    public func encode(embeddingMasks: Bool = false) throws -> Data {
        var output = self
        if embeddingMasks {
            for index in output.brushes.indices {
                if let mask = brushes[index].mask {
                    output.brushes[index].mask = try embedded(mask, field: "brushes[\(index)].mask")
                }
            }
            if let image = background.image {
                output.background.image = try embedded(image, field: "background.image")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(output)
    }

    /// Validates the palette and writes its JSON (see `encode(embeddingMasks:)`) to `path`
    /// atomically.
    public func write(to path: String, embeddingMasks: Bool = false) throws {
        try validate()
        let data = try encode(embeddingMasks: embeddingMasks)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw PaletteError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// `reference` as embedded PNG bytes: a file's bytes are embedded as they are, once they
    /// are known to decode.
    func embedded(_ reference: ImageReference, field: String) throws -> ImageReference {
        guard case .file = reference, let path = reference.resolvedPath(baseFolder: baseFolder) else { return reference }
        let data = try Self.readImageFile(path: path, field: field)
        do {
            _ = try PNG.decode(data: data, source: path)
        } catch {
            throw PaletteError.unreadableImage(field: field, source: path, reason: "\(error)")
        }
        return .data(data)
    }

    /// The bytes of an image file named by `field`.
    static func readImageFile(path: String, field: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PaletteError.missingImageFile(field: field, path: path)
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PaletteError.unreadableImage(field: field, source: path, reason: error.localizedDescription)
        }
    }
}
