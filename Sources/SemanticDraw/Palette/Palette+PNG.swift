import Foundation
import ImageCodecs

extension Palette {
    /// The text chunk that carries this palette inside a generated PNG: the JSON with every
    /// image embedded, under the keyword `pngTextKeyword` ("semantic-draw"). Generated images
    /// write ``pngText()``, which adds A1111's `parameters` before it.
    public func pngTextChunks() throws -> [String: String] {
        let json = try encode(embeddingMasks: true)
        return [Self.pngTextKeyword: String(decoding: json, as: UTF8.self)]
    }

    /// The palette stored in the `semantic-draw` text chunk of the PNG at `path` (an image
    /// made by `semantic-draw generate`), validated; its images are embedded.
    public static func fromPNG(path: String) throws -> Palette {
        let chunks: [String: String]
        do {
            chunks = try PNG.textChunks(path: path)
        } catch let error as ImageCodecError {
            throw PaletteError.unreadableFile(path: path, reason: "\(error)")
        }
        guard let json = chunks[pngTextKeyword] else { throw PaletteError.noPaletteInImage(path: path) }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try decode(data: Data(json.utf8), baseFolder: folder, source: "\(path) (\(pngTextKeyword) text chunk)")
    }
}
