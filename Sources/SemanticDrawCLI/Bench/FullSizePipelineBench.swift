import Foundation
import Schedulers
import SemanticDraw
import TensorRuntime

/// What the full-size pipeline cases (`sdxl`, `sd3`) share: networks built under a timer with
/// the peak RSS after building, and the preset's one-shot canvas (3 brushes over a background
/// prompt, 4 slots) timed per slot from the progress reports.
enum FullSizePipelineBench {
    /// Networks built, how long it took and the peak RSS right after.
    struct Built {
        let models: ModelComponents
        let seconds: Double
        let residentKilobytes: Int
    }

    /// A timed one-shot generation.
    struct OneShot {
        /// The canvas side.
        let size: Int
        /// Seconds per slot (slot 0 includes the set-up: prompts, masks, noise).
        let slots: [Double]
        /// Seconds from the last slot to the decoded image.
        let decode: Double
        let total: Double

        /// The one-shot part of a report line.
        var summary: String {
            "one-shot \(size)x\(size), 3 brushes + background, 4 slots: \(slots.map(FullSizePipelineBench.format).joined(separator: " / ")) s "
                + "per slot (slot 0 with set-up), decode \(FullSizePipelineBench.format(decode)) s, total \(FullSizePipelineBench.format(total)) s"
        }
    }

    /// Builds the networks with `make` (which names `what` in its error), timed, and logs time and peak RSS.
    static func build(_ what: String, context: BenchContext, _ make: () throws -> ModelComponents) throws -> Built {
        context.log("  building the full-size \(what) (random weights)")
        var models: ModelComponents?
        let seconds = try BenchTiming.seconds { models = try make() }
        guard let models else { throw CommandFailure("the \(what) networks were not built") }
        let resident = BenchTiming.peakResidentKilobytes()
        context.log("  built in \(format(seconds)) s; peak RSS \(resident / 1024) MiB")
        return Built(models: models, seconds: seconds, residentKilobytes: resident)
    }

    /// The preset's one-shot canvas with its 4-step schedule.
    static func oneShot(models: ModelComponents, preset: Preset) throws -> OneShot {
        let size = preset.oneShotCanvas
        let scene = RegionBenchScene(height: size, width: size, vocabularySize: models.promptEncoder.textEncoder.configuration.vocabularySize)
        var settings = scene.settings(.semanticDraw)
        settings.apply(preset, schedule: SlotSchedule.steps(4))
        let timing = try TimedGeneration.run(RegionPipeline(components: models), scene: scene, settings: settings)
        return OneShot(size: size, slots: [timing.marks.first ?? .nan] + timing.durations,
                       decode: timing.total - (timing.marks.last ?? .nan), total: timing.total)
    }

    /// The JSON fields every full-size pipeline record carries.
    static func record(name: String, built: Built, oneShot: OneShot, peakKilobytes: Int) -> [String: Any] {
        [
            "case": name, "threads": ComputeThreads.count, "blas": BLAS.implementation, "build_seconds": built.seconds,
            "one_shot_size": oneShot.size, "one_shot_slot_seconds": oneShot.slots, "one_shot_decode_seconds": oneShot.decode,
            "one_shot_total_seconds": oneShot.total, "peak_rss_built_kib": built.residentKilobytes, "peak_rss_kib": peakKilobytes,
        ]
    }

    /// Seconds with one decimal.
    static func format(_ seconds: Double) -> String { BenchTiming.format(seconds, digits: 1) }
}
