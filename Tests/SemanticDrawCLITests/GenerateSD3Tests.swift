import Foundation
import ImageCodecs
import SemanticDraw
import Testing

/// `generate` and `panorama` on the SD3 family with the built-in tiny-random-sd3:
/// `--accelerator none` (diffusers' flow-matching Euler), `--baseline`, the accelerators SD3
/// does not have, and a panorama (the Flash preset and the export: ``BuiltInFamilyModelTests``).
@Suite struct GenerateSD3Tests {
    typealias CLI = ForwardCommandTests
    typealias Workspace = GenerateCommandTests.Workspace

    @Test func noneAndBaselineRunAndUNetAcceleratorsAreRefused() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        let brush = ["--prompt", "a boat", "--mask", workspace.path("half.png"), "--seed", "1"]
        let none = try CLI.run(["generate", "--model", "tiny-random-sd3", "--accelerator", "none", "--steps", "3"] + brush
                               + ["--output", workspace.path("none.png")])
        #expect(none.status == 0, "stderr: \(none.error)")
        let palette = try Palette.fromPNG(path: workspace.path("none.png"))
        #expect(palette.family == .stableDiffusion3 && palette.accelerator == .none && palette.guidance == 7)
        let baseline = try CLI.run(["generate", "--model", "tiny-random-sd3", "--baseline", "--steps", "3", "--guidance", "0"] + brush
                                   + ["--output", workspace.path("baseline.png")])
        #expect(baseline.status == 0, "stderr: \(baseline.error)")
        let lcm = try CLI.run(["generate", "--model", "tiny-random-sd3", "--accelerator", "lcm"] + brush + ["--output", workspace.path("lcm.png")])
        #expect(lcm.status != 0 && lcm.error.contains("lcm does not exist for sd3 models (use one of flash, none)"), "stderr: \(lcm.error)")
    }

    @Test func panoramaOnSD3() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let output = CLI.temporaryPath("sd3-panorama.png")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try CLI.run(["panorama", "--model", "tiny-random-sd3", "--prompt", "a mountain range", "--width", "160", "--height", "48",
                               "--maximum-tile", "64", "--steps", "2", "--output", output])
        #expect(run.status == 0, "stderr: \(run.error)")
        let image = try PNG.read(path: output)
        #expect(image.width == 160 && image.height == 48)
    }
}
