/// Why a palette could not be read, validated or written. Field errors carry the JSON path of
/// the bad field (`brushes[1].mask_alpha`) and say what is wrong with its value.
public enum PaletteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The palette file (or the image holding one) could not be read.
    case unreadableFile(path: String, reason: String)
    /// The bytes are not JSON, or not a JSON object. `source` is the path or "data".
    case invalidJSON(source: String, reason: String)
    /// The palette's `version` is not one this build reads.
    case unsupportedVersion(Int)
    /// A field is missing, has the wrong type, or a value out of range.
    case invalidField(path: String, reason: String)
    /// An image reference names a file that does not exist.
    case missingImageFile(field: String, path: String)
    /// An image reference (file or embedded data) is not a readable PNG.
    case unreadableImage(field: String, source: String, reason: String)
    /// A PNG has no `semantic-draw` text chunk.
    case noPaletteInImage(path: String)
    /// Writing the palette failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read palette \(path): \(reason)"
        case .invalidJSON(let source, let reason):
            return "\(source) is not a palette: \(reason)"
        case .unsupportedVersion(let version):
            return "palette version \(version) is not supported (this build reads \(Palette.readableVersions))"
        case .invalidField(let path, let reason):
            return "\(path): \(reason)"
        case .missingImageFile(let field, let path):
            return "\(field): the file \(path) does not exist"
        case .unreadableImage(let field, let source, let reason):
            return "\(field): cannot read \(source) as a PNG image: \(reason)"
        case .noPaletteInImage(let path):
            return "\(path) holds no palette (no '\(Palette.pngTextKeyword)' text chunk); was it made by `semantic-draw generate`?"
        case .writeFailed(let path, let reason):
            return "cannot write palette \(path): \(reason)"
        }
    }
}
