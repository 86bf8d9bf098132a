import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the history writes its files. The server writes through this so tests can put in a
/// writer that fails (a disk that fills up) without filling a disk.
protocol HistoryFileWriting: Sendable {
    /// Writes `data` to `url` whole or not at all: on failure nothing is left behind.
    func write(_ data: Data, to url: URL) throws
}

/// Writes a temporary file beside the destination, then renames it over the destination
/// (`rename(2)`: atomic on one file system); a failed write removes the temporary file.
struct AtomicHistoryFileWriter: HistoryFileWriting {
    func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        do {
            try data.write(to: temporary, options: [.withoutOverwriting])
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: reason])
        }
    }
}
