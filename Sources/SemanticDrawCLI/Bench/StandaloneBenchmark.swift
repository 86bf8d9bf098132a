import Foundation
import TensorRuntime

/// A `semantic-draw bench --case NAME` case with no PyTorch counterpart: it times itself and
/// reports its own figures (medians over repeated runs, or ratios between its own runs in the
/// same command). Each case lives in its own file; ``BenchCommand`` only lists it.
protocol StandaloneBenchmark {
    /// The `--case` name.
    static var name: String { get }
    /// One line for `--help`.
    static var summary: String { get }
    /// Runs the case and returns its result line and JSON record.
    static func run(_ context: BenchContext) throws -> BenchReport
}

/// What a standalone case gets from the command line.
struct BenchContext {
    /// `--repeats`: timed runs (cases say how they use it).
    let repeats: Int
    /// `--precision`: the weight precision of the full-size networks of cases that honour it
    /// (`stream`).
    var precision: Precision = .fp32
    /// Prints a progress line to standard error.
    let log: (String) -> Void
}

/// A standalone case's result: the line printed to standard output and the JSON record.
struct BenchReport {
    var line: String
    var record: [String: Any]
}

/// Timing helpers shared by the standalone cases.
enum BenchTiming {
    /// Seconds `body` takes.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The process's peak resident set size in KiB (getrusage's ru_maxrss on Linux).
    static func peakResidentKilobytes() -> Int {
        var usage = rusage()
        #if os(macOS)
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss)
        #endif
    }

    static func format(_ seconds: Double, digits: Int = 3) -> String { String(format: "%.\(digits)f", seconds) }
}
