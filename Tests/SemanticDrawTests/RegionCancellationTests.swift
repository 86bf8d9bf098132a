import DiffusionModels
import Foundation
import Schedulers
import SemanticDraw
import TensorRuntime
import Testing

/// Cancelling a one-shot generation, a baseline MultiDiffusion run or a panorama running in a
/// `Task` stops it with `CancellationError` (the loops check per slot and view, the networks
/// per layer). The task cancels itself from the first progress report, so the run is
/// known to be under way; the tiny fixture models keep this fast.
@Suite struct RegionCancellationTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let emptyPrompt = PromptInput.tokenIDs([998, 999] + Array(repeating: 1, count: 75))

    /// The fixture pipeline the parity tests load.
    static func pipeline() throws -> RegionPipeline { try RegionPipelineParityTests.pipeline.get() }

    /// Runs `kind` in a task that cancels itself at the first progress report; returns the
    /// task's outcome and the progress reports it made.
    static func runCancelled(_ kind: String) async throws -> (Result<Void, any Error>, [Int]) {
        let pipeline = try pipeline()
        let task = Task { () throws -> [Int] in
            var reports: [Int] = []
            func progress(_ step: Int, _ total: Int) {
                reports.append(step)
                if step == 1 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            var generator = TorchGenerator(seed: 3)
            let brush = RegionBrush(prompt: emptyPrompt, mask: Tensor(shape: [32, 32], repeating: 1))
            do {
                switch kind {
                case "panorama":
                    var settings = PanoramaSettings(height: 32, width: 96)
                    settings.emptyPrompt = emptyPrompt
                    _ = try pipeline.panorama(prompt: emptyPrompt, settings: settings, noise: &generator, progress: progress)
                case "baseline":
                    var settings = RegionGenerationSettings.baseline(height: 32, width: 32)
                    settings.schedule = .steps(5)
                    settings.emptyPrompt = emptyPrompt
                    _ = try pipeline.generate(brushes: [brush], settings: settings, noise: &generator, progress: progress)
                default:
                    var settings = RegionGenerationSettings(height: 32, width: 32)
                    settings.emptyPrompt = emptyPrompt
                    settings.whitePrompt = emptyPrompt
                    _ = try pipeline.generate(brushes: [brush], settings: settings, noise: &generator, progress: progress)
                }
            } catch {
                throw ReportedError(error: error, reports: reports)
            }
            return reports
        }
        do {
            return (.success(()), try await task.value)
        } catch let reported as ReportedError {
            return (.failure(reported.error), reported.reports)
        }
    }

    struct ReportedError: Error {
        let error: any Error
        let reports: [Int]
    }

    @Test(arguments: ["semanticDraw", "baseline", "panorama"])
    func cancellationStopsTheRun(_ kind: String) async throws {
        let (outcome, reports) = try await Self.runCancelled(kind)
        #expect(reports == [1], "\(kind): stopped right after the step that cancelled, reports \(reports)")
        guard case .failure(let error) = outcome else {
            Issue.record("\(kind): the cancelled run finished")
            return
        }
        #expect(error is CancellationError, "\(kind): \(error)")
    }
}
