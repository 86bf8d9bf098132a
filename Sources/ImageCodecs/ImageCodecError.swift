import Foundation

/// What went wrong reading or writing an image. Every message names the file (or "data" for
/// bytes that came from memory) and says what to do next where that is not obvious.
public enum ImageCodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read at all (missing, a folder, no permission).
    case unreadableFile(path: String, reason: String)
    /// The bytes are not a PNG (wrong signature) or the PNG is corrupt or truncated.
    /// `source` is the path, or "data" for bytes from memory.
    case corrupt(source: String, reason: String)
    /// A valid PNG or an image that this codec does not handle.
    case unsupported(source: String, reason: String)
    /// The image itself is inconsistent (pixel count, channel count, size).
    case invalidImage(reason: String)
    /// A text chunk keyword that PNG does not allow.
    case invalidTextKeyword(keyword: String, reason: String)
    /// Writing failed; nothing was left behind at `path`.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .corrupt(let source, let reason):
            return "\(source) is not a readable PNG: \(reason)"
        case .unsupported(let source, let reason):
            return "\(source): unsupported image: \(reason)"
        case .invalidImage(let reason):
            return "invalid image: \(reason)"
        case .invalidTextKeyword(let keyword, let reason):
            return "PNG text keyword \"\(keyword)\" is not allowed: \(reason)"
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
