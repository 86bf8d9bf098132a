import Foundation

/// The default progress display: a bar with bytes and rate on standard error, redrawn in place
/// when standard error is a terminal; otherwise (logs, CI) only the final line of each file.
public struct TerminalProgressBar: Sendable {
    private let isTerminal: Bool

    /// Creates a bar writing to standard error.
    public init() {
        isTerminal = isatty(STDERR_FILENO) == 1
    }

    /// A handler drawing this bar.
    public var handler: HubProgressHandler {
        let isTerminal = self.isTerminal
        return { progress in
            guard isTerminal || progress.isFinished else { return }
            let line = Self.render(progress, width: 30)
            let text = isTerminal ? "\r\u{1B}[K" + line + (progress.isFinished ? "\n" : "") : line + "\n"
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// One line: `unet/model.safetensors [#####.....]  1.2 GB / 3.4 GB  45.6 MB/s`.
    public static func render(_ progress: HubProgress, width: Int) -> String {
        let done = formatBytes(progress.bytesDone)
        let rate = formatBytes(Int64(progress.bytesPerSecond)) + "/s"
        guard let total = progress.totalBytes, total > 0 else {
            return "\(progress.path)  \(done)  \(rate)"
        }
        let fraction = min(1, max(0, Double(progress.bytesDone) / Double(total)))
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "\(progress.path) [\(bar)] \(done) / \(formatBytes(total))  \(rate)"
    }

    /// Decimal units, as the hub's web pages show sizes.
    public static func formatBytes(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
