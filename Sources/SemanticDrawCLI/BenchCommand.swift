import ArgumentParser
import Foundation
import TensorRuntime

/// `semantic-draw bench`: full-size networks with random weights, timed here and — in the same
/// command, interleaved — in eager PyTorch through `Tools/bench_pytorch.py`, reported as ratios.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time full-size SD1.5, SDXL, SD3 and BLIP-2 networks (random weights) against eager PyTorch on this machine.",
        discussion: """
        Cases: \(BenchmarkCase.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")).
        Each round runs the Swift timings, then the PyTorch timings of the same case with the same
        thread count; medians over all rounds are compared. Without --case, all but the SDXL, SD3 and BLIP-2 ones run.
        The JSON records carry each side's peak RSS (ru_maxrss; the Swift one is the process's so far: run a
        case alone to read it as that case's).
        Cases without a PyTorch counterpart, run only when named: \(standaloneCases.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")).
        Build with `swift build -c release`: debug builds are 10-100x slower.
        """
    )

    /// The cases with no PyTorch counterpart (each in its own file under Bench/), run only when named.
    static var standaloneCases: [any StandaloneBenchmark.Type] {
        [MaskBenchCase.self, RegionBenchCase.self, PanoramaDecodeBenchCase.self, StreamBenchCase.self, XLPipelineBenchCase.self, SD3PipelineBenchCase.self,
         PrecisionImageBenchCase.self]
    }

    @Option(name: .customLong("case"), help: "Cases to run (repeatable; default: all but the SDXL and SD3 ones).")
    var cases: [String] = []

    @Option(help: "Timed runs per round.")
    var repeats: Int = 3

    @Option(help: "Rounds (Swift then PyTorch) per case.")
    var rounds: Int = 2

    @Option(help: "Python with torch/diffusers (Tools/setup-reference-env.sh); 'none' skips PyTorch.")
    var python: String = ".venv-reference/bin/python"

    @Option(help: "Where to append the results as JSON lines.")
    var json: String?

    @Option(help: "Weight precision of the network cases: fp32 or bf16 (PyTorch then runs under CPU bf16 autocast).")
    var precision: Precision = .fp32

    func validate() throws {
        let names = BenchmarkCase.allCases.map(\.rawValue) + Self.standaloneCases.map { $0.name }
        for name in cases where !names.contains(name) {
            throw ValidationError("unknown case '\(name)'; expected one of \(names.joined(separator: ", "))")
        }
        guard repeats > 0, rounds > 0 else { throw ValidationError("--repeats and --rounds must be positive") }
    }

    func run() throws {
        #if DEBUG
        log("warning: this is a debug build; timings are not meaningful (use swift build -c release)")
        #endif
        let selected = cases.isEmpty ? BenchmarkCase.defaultCases : cases.compactMap(BenchmarkCase.init(rawValue:))
        let standalone = Self.standaloneCases.filter { cases.contains($0.name) }
        let threads = ComputeThreads.count
        let usePyTorch = python != "none" && !selected.isEmpty
        if usePyTorch && !FileManager.default.isExecutableFile(atPath: python) {
            throw CommandFailure("\(python) not found: run Tools/setup-reference-env.sh, or pass --python none")
        }
        log("threads: \(threads); repeats \(repeats) x rounds \(rounds); BLAS: \(BLAS.implementation); precision \(precision.rawValue)"
            + (precision == .bf16 ? "; bf16 kernel: \(BFloat16GEMM.path.rawValue)" : ""))
        var lines: [String] = []
        for benchmarkCase in selected {
            log("\(benchmarkCase.rawValue): \(benchmarkCase.summary)")
            // The SDXL UNet (about 11 GB) and the SD3 transformer (about 9 GB) are built per round and released before the
            // PyTorch side builds its own, so the two never sit in memory together.
            func prepared() throws -> () throws -> Void {
                let buildStart = Date()
                let runOnce = try benchmarkCase.prepare(precision: precision)
                _ = OperationProfiler.drain()
                log("  built in \(format(Date().timeIntervalSince(buildStart))) s; warm-up")
                try runOnce()
                return runOnce
            }
            let kept: (() throws -> Void)? = benchmarkCase.isLarge ? nil : try prepared()
            var swiftTimes: [Double] = [], torchTimes: [Double] = [], torchPeak = 0
            for round in 1...rounds {
                do {
                    let runOnce = try kept ?? prepared()
                    for _ in 0..<repeats {
                        let start = Date()
                        try runOnce()
                        swiftTimes.append(Date().timeIntervalSince(start))
                    }
                }
                log("  round \(round) swift: \(swiftTimes.suffix(repeats).map(format).joined(separator: " ")) s")
                if usePyTorch {
                    let (times, peak) = try pytorchTimes(benchmarkCase, threads: threads)
                    torchTimes += times
                    torchPeak = max(torchPeak, peak ?? 0)
                    log("  round \(round) torch: \(times.map(format).joined(separator: " ")) s")
                }
            }
            if OperationProfiler.isEnabled {
                let totalRuns = Double(repeats * rounds + 1)
                for entry in OperationProfiler.drain() {
                    log(String(format: "  profile %-12@ %8.3f s per run, %6d calls", entry.kind, entry.seconds / totalRuns, Int(Double(entry.calls) / totalRuns)))
                }
            }
            let swiftMedian = median(swiftTimes)
            var line = "\(benchmarkCase.rawValue): swift \(format(swiftMedian)) s"
            let swiftPeak = BenchTiming.peakResidentKilobytes()
            var record: [String: Any] = ["case": benchmarkCase.rawValue, "precision": precision.rawValue, "threads": threads, "blas": BLAS.implementation,
                                         "swift_seconds": swiftTimes, "swift_median": swiftMedian, "swift_peak_rss_kb": swiftPeak]
            if usePyTorch {
                let torchMedian = median(torchTimes)
                line += ", pytorch \(format(torchMedian)) s, speed-up x\(String(format: "%.2f", torchMedian / swiftMedian))"
                record["pytorch_seconds"] = torchTimes
                record["pytorch_median"] = torchMedian
                record["speedup"] = torchMedian / swiftMedian
                if torchPeak > 0 { record["pytorch_peak_rss_kb"] = torchPeak }
            }
            if benchmarkCase.isCaption {
                line += String(format: "; peak RSS swift %.2f GiB", Double(swiftPeak) / 1048576)
                    + (torchPeak > 0 ? String(format: ", pytorch %.2f GiB", Double(torchPeak) / 1048576) : "")
                    + " (\(BenchmarkCase.captionNewTokens) new tokens)"
            }
            print(line)
            if let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) {
                lines.append(String(decoding: data, as: UTF8.self))
            }
        }
        for benchmark in standalone {
            log("\(benchmark.name): \(benchmark.summary)")
            let report = try benchmark.run(BenchContext(repeats: repeats, precision: precision, log: log))
            print(report.line)
            if let data = try? JSONSerialization.data(withJSONObject: report.record, options: [.sortedKeys]) {
                lines.append(String(decoding: data, as: UTF8.self))
            }
        }
        if let json {
            let handle = FileManager.default.fileExists(atPath: json) ? FileHandle(forWritingAtPath: json) : {
                _ = FileManager.default.createFile(atPath: json, contents: nil)
                return FileHandle(forWritingAtPath: json)
            }()
            guard let handle else { throw CommandFailure("cannot write \(json)") }
            handle.seekToEndOfFile()
            handle.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            handle.closeFile()
        }
    }

    /// The PyTorch side's timed runs and its peak RSS in KiB (nil when the script did not say).
    private func pytorchTimes(_ benchmarkCase: BenchmarkCase, threads: Int) throws -> (seconds: [Double], peakKilobytes: Int?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["Tools/bench_pytorch.py", "--case", benchmarkCase.rawValue, "--threads", "\(threads)",
                             "--repeats", "\(repeats)", "--precision", precision.rawValue, "--json"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure("Tools/bench_pytorch.py --case \(benchmarkCase.rawValue) failed with status \(process.terminationStatus)")
        }
        let lastLine = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try? JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any],
              let seconds = object["seconds"] as? [Double] else {
            throw CommandFailure("Tools/bench_pytorch.py printed no JSON result line (got: \(lastLine))")
        }
        return (seconds, object["peak_rss_kb"] as? Int)
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    private func log(_ message: String) { FileHandle.standardError.write(Data((message + "\n").utf8)) }
}
