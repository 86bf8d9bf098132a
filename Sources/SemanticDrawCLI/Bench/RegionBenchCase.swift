import Foundation
import SemanticDraw
import TensorRuntime

/// `bench --case region`: SemanticDraw (5 LCM slots, guidance 1) against the baseline
/// MultiDiffusion (50 DDIM steps, CFG 7.5, random-colour bootstrapping for 20 steps) at
/// 768 x 768 with 3 brushes over a background prompt (4 regions, one view), as a speed-up
/// measured in the same run (paper: about x10). No PyTorch counterpart.
///
/// - tiny-random (in memory): both methods run whole, interleaved, `--repeats` times each;
///   the ratio of the medians, and the per-step costs from the progress reports.
/// - The full-size SD1.5 architecture (random weights): each method is timed for its first
///   few steps (the task is cancelled after them) and extrapolated: SemanticDraw = time to the
///   end of slot 0 (set-up, white latent, bootstrapped slot) + 4 x plain slot + decode;
///   baseline = time to the end of step 0 (set-up + a bootstrapped step) + 19 x bootstrapped
///   step + 30 x plain step + decode. A step's cost is constant within its kind: the same
///   batched UNet call on the same shapes (plus, while bootstrapping, the VAE encoding of the
///   brushes' colour images).
enum RegionBenchCase: StandaloneBenchmark {
    static let name = "region"
    static let summary = "SemanticDraw 5 slots vs baseline MultiDiffusion 50 DDIM steps, 768x768, 3 brushes (speed-up, tiny whole + full-size extrapolated)"

    static func run(_ context: BenchContext) throws -> BenchReport {
        let size = 768, slots = 5, steps = 50, bootstrapSteps = Int(0.4 * Double(steps))

        // tiny-random: whole runs.
        let tiny = try RegionBenchScene.tinyPipeline()
        let tinyScene = RegionBenchScene(height: size, width: size, vocabularySize: tiny.components.promptEncoder.textEncoder.configuration.vocabularySize)
        var semanticDraw = tinyScene.settings(.semanticDraw), baseline = tinyScene.settings(.baselineMultiDiffusion)
        _ = try TimedGeneration.run(tiny, scene: tinyScene, settings: semanticDraw)
        var tinySemantic: [TimedGeneration.Timing] = [], tinyBaseline: [TimedGeneration.Timing] = []
        for run in 1...context.repeats {
            tinySemantic.append(try TimedGeneration.run(tiny, scene: tinyScene, settings: semanticDraw))
            tinyBaseline.append(try TimedGeneration.run(tiny, scene: tinyScene, settings: baseline))
            context.log("  tiny run \(run): semanticDraw \(BenchTiming.format(tinySemantic.last!.total)) s, baseline \(BenchTiming.format(tinyBaseline.last!.total)) s")
        }
        let tinySemanticMedian = BenchTiming.median(tinySemantic.map(\.total))
        let tinyBaselineMedian = BenchTiming.median(tinyBaseline.map(\.total))
        let tinyBootStep = BenchTiming.median(tinyBaseline.flatMap { Array($0.durations.prefix(bootstrapSteps - 1)) })
        let tinyPlainStep = BenchTiming.median(tinyBaseline.flatMap { Array($0.durations.suffix(steps - bootstrapSteps)) })
        let tinySlot = BenchTiming.median(tinySemantic.flatMap(\.durations))

        // Full size: the first steps of each, extrapolated.
        context.log("  building the full-size SD1.5 architecture (random weights)")
        let full = try RegionBenchScene.fullSizePipeline()
        let fullScene = RegionBenchScene(height: size, width: size, vocabularySize: full.components.promptEncoder.textEncoder.configuration.vocabularySize)
        semanticDraw = fullScene.settings(.semanticDraw)
        baseline = fullScene.settings(.baselineMultiDiffusion)
        let semanticRun = try TimedGeneration.run(full, scene: fullScene, settings: semanticDraw, stopAfter: 3)
        let slotCosts = semanticRun.durations
        context.log("  full semanticDraw: slot 0 done at \(BenchTiming.format(semanticRun.marks[0])) s, plain slots \(slotCosts.map { BenchTiming.format($0) }) s")
        var shortBaseline = baseline
        shortBaseline.baselineBootstrapFraction = 2.5 / Double(steps)       // steps 0 and 1 bootstrapped
        let baselineRun = try TimedGeneration.run(full, scene: fullScene, settings: shortBaseline, stopAfter: 4)
        let baselineCosts = baselineRun.durations
        context.log("  full baseline: step 0 done at \(BenchTiming.format(baselineRun.marks[0])) s, step 1 (bootstrapped) \(BenchTiming.format(baselineCosts[0])) s, plain steps \(baselineCosts.dropFirst().map { BenchTiming.format($0) }) s")
        var random = TorchGenerator(seed: 2)
        let latent = random.normal(shape: [1, 4, size / 8, size / 8])
        let decode = try BenchTiming.seconds { _ = try full.autoencoder.decode(latent: latent) }
        let plainSlot = BenchTiming.median(slotCosts)
        let bootStep = baselineCosts[0], plainStep = BenchTiming.median(Array(baselineCosts.dropFirst()))
        let semanticEstimate = semanticRun.marks[0] + Double(slots - 1) * plainSlot + decode
        let baselineEstimate = baselineRun.marks[0] + Double(bootstrapSteps - 1) * bootStep + Double(steps - bootstrapSteps) * plainStep + decode

        let f = { (value: Double) in BenchTiming.format(value, digits: 2) }
        let line = """
        region: full-size SD1.5 (extrapolated): semanticDraw \(f(semanticEstimate)) s (slot \(f(plainSlot)) s), \
        baseline \(f(baselineEstimate)) s (step \(f(plainStep)) s, bootstrapped step \(f(bootStep)) s), decode \(f(decode)) s, \
        speed-up x\(f(baselineEstimate / semanticEstimate)); tiny-random (whole, median of \(context.repeats)): \
        semanticDraw \(BenchTiming.format(tinySemanticMedian)) s, baseline \(BenchTiming.format(tinyBaselineMedian)) s, \
        speed-up x\(f(tinyBaselineMedian / tinySemanticMedian))
        """
        return BenchReport(line: line, record: [
            "case": name, "threads": ComputeThreads.count, "blas": BLAS.implementation, "size": size,
            "full_semantic_draw_estimate": semanticEstimate, "full_semantic_draw_slot_zero_end": semanticRun.marks[0],
            "full_semantic_draw_plain_slots": slotCosts, "full_baseline_estimate": baselineEstimate,
            "full_baseline_step_zero_end": baselineRun.marks[0], "full_baseline_bootstrapped_step": bootStep,
            "full_baseline_plain_steps": Array(baselineCosts.dropFirst()), "full_decode": decode,
            "full_speedup": baselineEstimate / semanticEstimate,
            "tiny_semantic_draw_seconds": tinySemantic.map(\.total), "tiny_baseline_seconds": tinyBaseline.map(\.total),
            "tiny_semantic_draw_slot_median": tinySlot, "tiny_baseline_bootstrapped_step_median": tinyBootStep,
            "tiny_baseline_plain_step_median": tinyPlainStep, "tiny_speedup": tinyBaselineMedian / tinySemanticMedian,
        ])
    }
}
