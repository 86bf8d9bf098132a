import Foundation

/// Why the history could not store an image (sent back as the `error` for a `save`).
enum HistoryError: Error, Equatable, CustomStringConvertible {
    /// `<data dir>/history` is missing and cannot be made (a file in its place, no permission).
    case folderUnavailable(path: String, reason: String)
    /// Writing an entry's file failed (a full disk, no permission); nothing of the entry is left.
    case writeFailed(path: String, reason: String)

    var description: String {
        switch self {
        case .folderUnavailable(let path, let reason):
            return "the history folder \(path) cannot be created (\(reason)); start the server with a writable --data-dir"
        case .writeFailed(let path, let reason):
            return "cannot write \(path) (\(reason)); nothing was saved (is the disk full, or --data-dir not writable?)"
        }
    }
}
