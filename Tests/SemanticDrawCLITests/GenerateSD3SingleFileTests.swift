import Foundation
import ImageCodecs
import SemanticDraw
import Testing

/// `generate --model FILE.safetensors` on SD3 single files (Tests/Fixtures/sd3-single-file/,
/// Tools/make_sd3_single_file_fixtures.py): the file with `--config` gives the same image as the
/// pipeline folder diffusers' `from_single_file` made of it (sd3-twin/), the family is detected
/// from the file, and a file that needs a configuration says so.
@Suite struct GenerateSD3SingleFileTests {
    typealias CLI = ForwardCommandTests
    typealias Workspace = GenerateCommandTests.Workspace
    static let fixtures = CLI.repository.appendingPathComponent("Tests/Fixtures/sd3-single-file").path

    @Test func singleFileGeneratesTheImageOfItsDiffusersTwin() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        // small.png is 32 x 24: with the tiny VAE's factor 2, 8 x 6 patches, inside the 10 x 10 position grid.
        let options = ["--prompt", "a red apple", "--mask", workspace.path("small.png"), "--background-prompt", "a meadow",
                       "--accelerator", "none", "--steps", "3", "--guidance", "2", "--seed", "11"]
        let file = try CLI.run(["generate", "--model", Self.fixtures + "/sd3.safetensors", "--config", Self.fixtures + "/sd3-config"]
                               + options + ["--output", workspace.path("file.png")])
        #expect(file.status == 0, "stderr: \(file.error)")
        #expect(file.error.contains("text_encoders.t5xxl (T5) is not used"), "stderr: \(file.error)")
        let twin = try CLI.run(["generate", "--model", Self.fixtures + "/sd3-twin"] + options + ["--output", workspace.path("twin.png")])
        #expect(twin.status == 0, "stderr: \(twin.error)")
        let image = try PNG.read(path: workspace.path("file.png"))
        #expect(image.width == 32 && image.height == 24)
        #expect(image.pixels == (try PNG.read(path: workspace.path("twin.png"))).pixels, "the single file and diffusers' conversion of it give the same image")
        let palette = try Palette.fromPNG(path: workspace.path("file.png"))
        #expect(palette.family == .stableDiffusion3 && palette.accelerator == .none)

        // SD3.5 Medium's layout without text encoders: they come from the configuration folder.
        let medium = try CLI.run(["generate", "--model", Self.fixtures + "/sd35-medium.safetensors", "--config", Self.fixtures + "/sd35-medium-config"]
                                 + options + ["--output", workspace.path("medium.png")])
        #expect(medium.status == 0, "stderr: \(medium.error)")
        #expect(medium.error.contains("the file has no text_encoder, text_encoder_2: loading them from"), "stderr: \(medium.error)")
    }

    @Test func aFileThatNeedsAConfigurationSaysSo() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        let run = try CLI.run(["generate", "--model", Self.fixtures + "/sd35-medium.safetensors", "--prompt", "a red apple",
                               "--mask", workspace.path("small.png"), "--accelerator", "none", "--output", workspace.path("x.png")])
        #expect(run.status != 0)
        #expect(run.error.contains("sd35-medium.safetensors does not match any published SD3 model") && run.error.contains("--config DIR"),
                "stderr: \(run.error)")
    }
}
