import Foundation

/// Counts the bytes of one file download and reports them, at most ten times a second, with
/// the rate of this run. Used from the single task that downloads the file.
final class ProgressMeter {
    private let path: String
    private let totalBytes: Int64?
    private let handler: HubProgressHandler?
    private var bytesDone: Int64 = 0
    private var bytesThisRun: Int64 = 0
    private let startTime = Date()
    private var lastReport = Date.distantPast

    init(path: String, totalBytes: Int64?, handler: HubProgressHandler?) {
        self.path = path
        self.totalBytes = totalBytes
        self.handler = handler
    }

    /// An attempt starts with `bytesDone` already on disk.
    func begin(bytesDone: Int64) {
        self.bytesDone = bytesDone
    }

    func add(_ count: Int64) {
        bytesDone += count
        bytesThisRun += count
        let now = Date()
        if now.timeIntervalSince(lastReport) >= 0.1 {
            lastReport = now
            report(isFinished: false)
        }
    }

    func finish(bytesDone: Int64) {
        self.bytesDone = bytesDone
        report(isFinished: true)
    }

    private func report(isFinished: Bool) {
        guard let handler else { return }
        let elapsed = max(Date().timeIntervalSince(startTime), 0.001)
        handler(HubProgress(path: path, bytesDone: bytesDone, totalBytes: totalBytes,
                            bytesPerSecond: Double(bytesThisRun) / elapsed, isFinished: isFinished))
    }
}
