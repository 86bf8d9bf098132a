import Foundation
import ImageCodecs
import SemanticDraw
import Testing

/// `generate` with brushes that have no `--mask`: one such brush is plain text-to-image (recorded
/// in the palette as a brush without `mask`, so the PNG regenerates itself); among several, it
/// covers the whole canvas like an all-white mask. (The pixels against diffusers:
/// TextToImageReproductionTests.)
@Suite struct GenerateTextToImageTests {
    typealias CLI = ForwardCommandTests
    typealias Workspace = GenerateCommandTests.Workspace

    @Test func onePromptWithoutAMaskIsTextToImageAndRegeneratesFromItsPNG() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        let run = try CLI.run(["generate", "--model", "tiny-random", "--prompt", "a cat on a sofa", "--width", "64", "--height", "48",
                               "--seed", "2", "--output", workspace.path("cat.png")])
        #expect(run.status == 0, "stderr: \(run.error)")
        #expect(run.error.contains("text-to-image (lcm, slots 0,4,12,25,37)"), "\(run.error)")
        let palette = try Palette.fromPNG(path: workspace.path("cat.png"))
        #expect(palette.brushes.count == 1 && palette.brushes[0].mask == nil && palette.isTextToImage)
        #expect(!String(decoding: try palette.encode(embeddingMasks: true), as: UTF8.self).contains("\"mask\""))
        let image = try PNG.read(path: workspace.path("cat.png"))
        #expect(image.width == 64 && image.height == 48)
        let again = try CLI.run(["generate", "--palette", workspace.path("cat.png"), "--output", workspace.path("again.png")])
        #expect(again.status == 0, "stderr: \(again.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.path("cat.png")))
            == Data(contentsOf: URL(fileURLWithPath: workspace.path("again.png"))))
    }

    @Test func withoutMasksTheCanvasIsThePresetsAndABrushWithoutAMaskCoversIt() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let workspace = try Workspace()
        // Several brushes, the first without a mask: it covers the canvas, the disc paints over it.
        let covered = try CLI.run(["generate", "--model", "tiny-random", "--prompt", "a meadow", "--prompt", "a red apple",
                                   "--mask", workspace.path("disc.png"), "--bootstrap-steps", "0", "--output", workspace.path("two.png")])
        #expect(covered.status == 0, "stderr: \(covered.error)")
        #expect(covered.error.contains("SemanticDraw (lcm"), "\(covered.error)")
        let palette = try Palette.fromPNG(path: workspace.path("two.png"))
        #expect(palette.width == 64 && palette.height == 48, "the canvas is the first mask's size")
        #expect(palette.brushes.map { $0.mask == nil } == [true, false] && !palette.isTextToImage)
        // No mask at all and no size: the preset's one-shot canvas (tiny-random: SD1's 512).
        let plain = try Palette.fromPNG(path: try generated(in: workspace, ["--prompt", "a cat", "--steps", "1"]))
        #expect(plain.width == 512 && plain.height == 512)
        // --baseline takes the region loop: a brush without a mask is an all-ones region there.
        let baseline = try CLI.run(["generate", "--model", "tiny-random", "--prompt", "a cat", "--width", "64", "--height", "48",
                                    "--baseline", "--steps", "2", "--output", workspace.path("baseline.png")])
        #expect(baseline.status == 0 && baseline.error.contains("DDIM baseline"), "stderr: \(baseline.error)")
    }

    private func generated(in workspace: Workspace, _ options: [String]) throws -> String {
        let output = workspace.path("generated.png")
        let run = try CLI.run(["generate", "--model", "tiny-random"] + options + ["--output", output])
        #expect(run.status == 0, "stderr: \(run.error)")
        return output
    }
}
