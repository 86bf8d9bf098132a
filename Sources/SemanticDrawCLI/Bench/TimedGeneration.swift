import Dispatch
import Foundation
import SemanticDraw
import TensorRuntime

/// Runs one generation in a task and records when each step's progress report arrived;
/// optionally cancels the task after `stopAfter` steps (the run then ends with
/// `CancellationError`, which is the expected outcome here), so that a long run can be
/// timed step by step without running it to the end.
enum TimedGeneration {
    struct Timing: Sendable {
        /// Seconds from the start to each progress report.
        let marks: [Double]
        /// Seconds from the start to the end (the decoded image, or the cancellation).
        let total: Double
        let finished: Bool

        /// Seconds between consecutive reports (step k's duration is `durations[k - 1]` for k >= 1).
        var durations: [Double] { zip(marks.dropFirst(), marks).map { $0 - $1 } }
    }

    private final class Outcome: @unchecked Sendable {
        var result: Result<Timing, any Error> = .failure(CancellationError())
    }

    static func run(_ pipeline: RegionPipeline, scene: RegionBenchScene, settings: RegionGenerationSettings,
                    stopAfter: Int? = nil) throws -> Timing {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let brushes = scene.brushes, background = scene.background
        Task.detached {
            let start = DispatchTime.now().uptimeNanoseconds
            func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
            var marks: [Double] = []
            var generator = TorchGenerator(seed: 0)
            do {
                _ = try pipeline.generate(brushes: brushes, background: background, settings: settings, noise: &generator) { step, _ in
                    marks.append(elapsed())
                    if let stopAfter, step >= stopAfter { withUnsafeCurrentTask { $0?.cancel() } }
                }
                outcome.result = .success(Timing(marks: marks, total: elapsed(), finished: true))
            } catch is CancellationError where stopAfter != nil {
                outcome.result = .success(Timing(marks: marks, total: elapsed(), finished: false))
            } catch {
                outcome.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try outcome.result.get()
    }
}
