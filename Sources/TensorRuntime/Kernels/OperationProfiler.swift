import Foundation
import Synchronization

/// Optional wall-clock totals per operation kind, enabled by `SEMANTIC_DRAW_PROFILE=1`
/// (`semantic-draw bench` prints them). Off, it costs one branch per operation.
public enum OperationProfiler {
    /// Whether timing is on.
    public static let isEnabled = ProcessInfo.processInfo.environment["SEMANTIC_DRAW_PROFILE"] == "1"

    private static let totals = Mutex<[String: (seconds: Double, calls: Int)]>([:])

    /// Runs `body`, adding its duration to `kind` when profiling is on.
    @inlinable
    public static func measure<Result>(_ kind: String, _ body: () throws -> Result) rethrows -> Result {
        guard isEnabled else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { record(kind, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }

    @usableFromInline
    static func record(_ kind: String, seconds: Double) {
        totals.withLock { totals in
            let previous = totals[kind] ?? (0, 0)
            totals[kind] = (previous.seconds + seconds, previous.calls + 1)
        }
    }

    /// The totals so far, largest first, and resets them.
    public static func drain() -> [(kind: String, seconds: Double, calls: Int)] {
        totals.withLock { totals in
            defer { totals = [:] }
            return totals.map { (kind: $0.key, seconds: $0.value.seconds, calls: $0.value.calls) }.sorted { $0.seconds > $1.seconds }
        }
    }
}
