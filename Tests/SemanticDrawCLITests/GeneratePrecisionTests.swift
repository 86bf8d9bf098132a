import Foundation
import ImageCodecs
import SemanticDraw
import Testing
import TensorRuntime

/// `generate --precision bf16` on tiny-random: the image against the float32 one (PSNR), the
/// precision recorded in the palette and the A1111 parameters, and a bf16 PNG regenerating
/// itself byte for byte. float32 stays the default and writes no precision field.
@Suite struct GeneratePrecisionTests {
    typealias CLI = ForwardCommandTests
    typealias Workspace = GenerateCommandTests.Workspace

    @Test func bf16StaysCloseToFloat32AndIsRecorded() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        let common = ["generate", "--model", "tiny-random", "--prompt", "a red apple", "--prompt", "a blue sky",
                      "--mask", workspace.path("disc.png"), "--seed", "4"]
        let float32 = try CLI.run(common + ["--output", workspace.path("fp32.png")])
        #expect(float32.status == 0, "stderr: \(float32.error)")
        let bf16 = try CLI.run(common + ["--precision", "bf16", "--output", workspace.path("bf16.png")])
        #expect(bf16.status == 0, "stderr: \(bf16.error)")
        let reference = try PNG.read(path: workspace.path("fp32.png")), image = try PNG.read(path: workspace.path("bf16.png"))
        let psnr = try image.peakSignalToNoiseRatio(against: reference)
        print("generate tiny-random bf16 vs fp32: PSNR \(String(format: "%.1f", psnr)) dB")
        #expect(psnr >= 30, "PSNR \(psnr) dB")
        #expect(psnr.isFinite, "the bf16 image equals the float32 one: bf16 was not used")

        #expect(try Palette.fromPNG(path: workspace.path("bf16.png")).precision == .bf16)
        #expect(try Palette.fromPNG(path: workspace.path("fp32.png")).precision == .fp32)
        let bf16Bytes = try Data(contentsOf: URL(fileURLWithPath: workspace.path("bf16.png")))
        let float32Bytes = try Data(contentsOf: URL(fileURLWithPath: workspace.path("fp32.png")))
        #expect(bf16Bytes.range(of: Data("Precision: bf16".utf8)) != nil)
        #expect(float32Bytes.range(of: Data("Precision".utf8)) == nil && float32Bytes.range(of: Data("precision".utf8)) == nil)

        let again = try CLI.run(["generate", "--palette", workspace.path("bf16.png"), "--output", workspace.path("again.png")])
        #expect(again.status == 0, "stderr: \(again.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.path("again.png"))) == bf16Bytes)
    }

    /// `forward --precision bf16`: the VAE decoder within the network tolerance of the float32
    /// reference (BFloat16NetworkTests), and measurably not float32.
    @Test func forwardTakesThePrecision() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let fixture = CLI.repository.appendingPathComponent("Tests/Fixtures/vae").path
        let output = CLI.temporaryPath("bf16.safetensors")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try CLI.run(["forward", "vae-decode", "--model", fixture, "--input", fixture + "/inputs.safetensors",
                               "--output", output, "--precision", "bf16"])
        #expect(run.status == 0, "stderr: \(run.error)")
        let worst = try CLI.worstDifference("sample", output, fixture + "/outputs.safetensors")
        let largest = try SafeTensorsFile(path: fixture + "/outputs.safetensors").tensor("sample").scalars.map(abs).max() ?? 1
        #expect(worst / largest <= 3e-2 && worst > 1e-4, "max error \(worst), max |reference| \(largest)")
    }

    @Test func anUnknownPrecisionIsRefused() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let run = try CLI.run(["generate", "--model", "tiny-random", "--prompt", "a cat", "--precision", "fp16", "--output",
                               CLI.temporaryPath("never.png")])
        #expect(run.status != 0)
        #expect(run.error.contains("--precision 'fp16' is not one of fp32, bf16"), "\(run.error)")
    }
}
