import Foundation

/// An open file that downloaded bytes are appended to.
public protocol AppendingFile: AnyObject {
    /// Appends bytes at the end of the file.
    /// - Throws: any error (for example disk full); the download then removes the partial file.
    func write(_ data: Data) throws
    /// Flushes and closes the file.
    func close() throws
}

/// Opens files for appending. The client writes every download through this, so tests can inject
/// a writer that fails (a disk that fills up) without filling a disk.
public protocol FileWriting: Sendable {
    /// Opens `url` for appending, creating it when missing; existing bytes are kept (resume).
    func openForAppending(_ url: URL) throws -> any AppendingFile
}

/// Writes to the local file system with `FileHandle`.
public struct LocalFileWriter: FileWriting {
    /// Creates the default writer.
    public init() {}

    public func openForAppending(_ url: URL) throws -> any AppendingFile {
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        return LocalAppendingFile(handle: handle)
    }
}

/// A `FileHandle` positioned at the end of the file.
final class LocalAppendingFile: AppendingFile {
    private let handle: FileHandle

    init(handle: FileHandle) {
        self.handle = handle
    }

    func write(_ data: Data) throws {
        try handle.write(contentsOf: data)
    }

    func close() throws {
        try handle.close()
    }
}
