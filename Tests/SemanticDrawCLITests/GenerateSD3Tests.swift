import Foundation
import ImageCodecs
import SemanticDraw
import Testing

/// `generate`, `panorama` and `export` on the SD3 family with the built-in tiny-random-sd3: the
/// Flash preset (the default accelerator), the palette recording family and accelerator, the
/// exported folder loading to the same image, `--accelerator none` (diffusers' flow-matching
/// Euler), and the accelerators SD3 does not have.
@Suite struct GenerateSD3Tests {
    typealias CLI = ForwardCommandTests
    typealias Workspace = GenerateCommandTests.Workspace

    @Test func tinyRandomSD3GeneratesAndRecordsItsFamily() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        let options = ["--mask-std", "2", "--prompt", "a red apple", "--mask", workspace.path("disc.png"),
                       "--prompt", "blue sky", "--mask", workspace.path("half.png"), "--background-prompt", "a meadow",
                       "--guidance", "2", "--seed", "5"]
        let builtIn = try CLI.run(["generate", "--model", "tiny-random-sd3"] + options + ["--output", workspace.path("sd3.png")])
        #expect(builtIn.status == 0, "stderr: \(builtIn.error)")
        let palette = try Palette.fromPNG(path: workspace.path("sd3.png"))
        #expect(palette.family == .stableDiffusion3 && palette.accelerator == .flash && palette.guidance == 2)

        let folder = workspace.path("tiny-random-sd3")
        let export = try CLI.run(["export", "tiny-random-sd3", folder])
        #expect(export.status == 0, "stderr: \(export.error)")
        for file in ["model_index.json", "transformer/config.json", "transformer/diffusion_pytorch_model.safetensors",
                     "text_encoder_2/model.safetensors", "tokenizer_2/vocab.json", "vae/config.json", "taesd/config.json"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/" + file), "\(file) is exported")
        }
        // A folder gets the preset's Flash LoRA from the hub unless told otherwise (the built-in model fuses none).
        let exported = try CLI.run(["generate", "--model", folder, "--accelerator-lora", "none"] + options
                                   + ["--output", workspace.path("folder.png")])
        #expect(exported.status == 0, "stderr: \(exported.error)")
        #expect(try PNG.read(path: workspace.path("sd3.png")).pixels == PNG.read(path: workspace.path("folder.png")).pixels,
                "the built-in model and its export give the same image")
    }

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
