import Foundation

/// Progress of one file download.
public struct HubProgress: Sendable, Equatable {
    /// The repo-relative path of the file.
    public var path: String
    /// Bytes in the cache so far, including bytes from an earlier, resumed attempt.
    public var bytesDone: Int64
    /// The file size, when the hub announced it.
    public var totalBytes: Int64?
    /// Bytes per second received in this run (not counting resumed bytes).
    public var bytesPerSecond: Double
    /// True for the last report of the file.
    public var isFinished: Bool

    /// Creates a progress report.
    public init(path: String, bytesDone: Int64, totalBytes: Int64?, bytesPerSecond: Double, isFinished: Bool) {
        self.path = path
        self.bytesDone = bytesDone
        self.totalBytes = totalBytes
        self.bytesPerSecond = bytesPerSecond
        self.isFinished = isFinished
    }
}

/// Receives progress reports (at most about ten a second per file, and always a final one).
public typealias HubProgressHandler = @Sendable (HubProgress) -> Void
