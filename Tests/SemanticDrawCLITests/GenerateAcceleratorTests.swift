import Foundation
import ImageCodecs
import SemanticDraw
import Testing

/// `generate --accelerator` end to end on tiny-random: the palette records the accelerator, the
/// preset picks the schedule and guidance, bad values fail clearly and write nothing. (Numbers
/// against the pinned reference: HyperSDReproductionTests.)
@Suite struct GenerateAcceleratorTests {
    typealias CLI = ForwardCommandTests
    typealias Workspace = GenerateCommandTests.Workspace

    @Test func hyperSDIsRecordedAndRegeneratesFromItsPNG() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        let run = try workspace.generate("hyper.png", ["--accelerator", "hyper-sd", "--steps", "2"])
        #expect(run.status == 0, "stderr: \(run.error)")
        #expect(run.error.contains("2/2"), "two steps: \(run.error)")
        let palette = try Palette.fromPNG(path: workspace.path("hyper.png"))
        #expect(palette.version == 3 && palette.accelerator == .hyperSD && palette.schedule.steps == 2)
        #expect(palette.guidance == 0, "the preset's guidance")
        #expect(palette.acceleratorLoRA == nil && palette.loras.isEmpty)
        let again = try CLI.run(["generate", "--palette", workspace.path("hyper.png"), "--output", workspace.path("again.png")])
        #expect(again.status == 0, "stderr: \(again.error)")
        let first = try PNG.read(path: workspace.path("hyper.png")), second = try PNG.read(path: workspace.path("again.png"))
        #expect(first.pixels == second.pixels)
        // A different accelerator gives a different image from the same palette and seed.
        let lcm = try workspace.generate("lcm.png")
        #expect(lcm.status == 0)
        #expect(try PNG.read(path: workspace.path("lcm.png")).pixels != first.pixels)
    }

    /// `none` runs the model's own scheduler as configured (tiny-random's is LCMScheduler) with
    /// the standard guidance 7.5.
    @Test func noneRunsTheModelsOwnScheduler() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        let run = try workspace.generate("none.png", ["--accelerator", "none", "--steps", "3"])
        #expect(run.status == 0, "stderr: \(run.error)")
        let palette = try Palette.fromPNG(path: workspace.path("none.png"))
        #expect(palette.accelerator == .none && palette.guidance == 7.5 && palette.schedule.steps == 3)
    }

    @Test func badAcceleratorOptionsFailAndWriteNothing() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        let cases: [([String], String)] = [
            (["--accelerator", "turbo"], "accelerator 'turbo' is not one of lcm, hyper-sd, lightning, flash, none"),
            (["--accelerator", "lightning"], "lightning does not exist for sd1 models (use one of lcm, hyper-sd, none)"),
            (["--accelerator", "hyper-sd", "--eta", "1.5"], "--eta 1.5 is outside 0...1"),
            // A real model needs the preset's LoRA for the step count (checked before any download).
            (["--model", "/nonexistent/model", "--accelerator", "hyper-sd", "--steps", "3"], "hyper-sd has LoRAs for 1, 2, 4, 8 steps, not 3"),
        ]
        for (extra, message) in cases {
            let output = "bad-\(UUID().uuidString).png"
            let model = extra.contains("--model") ? [] : ["--model", "tiny-random"]
            let run = try CLI.run(["generate", "--mask-std", "2", "--prompt", "a red apple", "--mask", workspace.path("disc.png"),
                                   "--output", workspace.path(output)] + model + extra)
            #expect(run.status != 0, "\(extra) must fail")
            #expect(run.error.contains(message), "\(extra): \(run.error)")
            #expect(!FileManager.default.fileExists(atPath: workspace.path(output)), "\(extra) wrote an output")
        }
    }
}
