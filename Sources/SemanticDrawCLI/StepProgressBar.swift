import Foundation

/// A per-step progress bar on standard error: `generating [######......] 3/5  12.4 s`.
/// On a terminal it redraws one line; otherwise it prints one line per step.
struct StepProgressBar: Sendable {
    let label: String
    let start = Date()
    private let isTerminal = isatty(STDERR_FILENO) == 1

    init(label: String) { self.label = label }

    /// Draws step `done` of `total`.
    func update(_ done: Int, _ total: Int) {
        let width = 24
        let filled = total > 0 ? min(width, done * width / total) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let seconds = String(format: "%.1f s", Date().timeIntervalSince(start))
        let line = "\(label) [\(bar)] \(done)/\(total)  \(seconds)"
        let finished = done >= total
        let text = isTerminal ? "\r\u{1B}[K" + line + (finished ? "\n" : "") : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
