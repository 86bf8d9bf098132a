import Foundation
import ImageCodecs
import SemanticDraw
import Testing

/// `generate` on the SDXL family with the built-in tiny-random-xl: the preset (Lightning,
/// guidance 0 with rescale 0.7, the authors' random-number contract), both text encoders, time
/// ids, and the palette recording the family; the exported folder loads to the same image.
@Suite struct GenerateXLTests {
    typealias CLI = ForwardCommandTests
    typealias Workspace = GenerateCommandTests.Workspace

    @Test func tinyRandomXLGeneratesAndRecordsItsFamily() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        let options = ["--mask-std", "2", "--prompt", "a red apple", "--mask", workspace.path("disc.png"),
                       "--prompt", "blue sky", "--mask", workspace.path("half.png"), "--background-prompt", "a meadow",
                       "--guidance", "2", "--seed", "5"]
        let builtIn = try CLI.run(["generate", "--model", "tiny-random-xl"] + options + ["--output", workspace.path("xl.png")])
        #expect(builtIn.status == 0, "stderr: \(builtIn.error)")
        let palette = try Palette.fromPNG(path: workspace.path("xl.png"))
        #expect(palette.family == .stableDiffusionXL && palette.accelerator == .lightning && palette.guidance == 2)

        let folder = workspace.path("tiny-random-xl")
        let export = try CLI.run(["export", "tiny-random-xl", folder])
        #expect(export.status == 0, "stderr: \(export.error)")
        // A folder gets the preset's Lightning LoRA from the hub unless told otherwise (the built-in model fuses none).
        let exported = try CLI.run(["generate", "--model", folder, "--accelerator-lora", "none"] + options
                                   + ["--output", workspace.path("folder.png")])
        #expect(exported.status == 0, "stderr: \(exported.error)")
        #expect(try PNG.read(path: workspace.path("xl.png")).pixels == PNG.read(path: workspace.path("folder.png")).pixels,
                "the built-in model and its export give the same image")
    }
}
