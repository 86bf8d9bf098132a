import Foundation
import ImageCodecs
import Testing

/// `--lora FOLDER` and `--accelerator-lora FOLDER` on the commands: a folder holding
/// `pytorch_lora_weights.safetensors` (or one `.safetensors` file) fuses that file, as diffusers'
/// `load_lora_weights(folder)`; a folder with none or several candidates is a clear error.
@Suite struct LoRAFolderCommandTests {
    typealias CLI = ForwardCommandTests

    /// A scratch folder `adapter/` holding the tiny-random Hyper-SD fixture LoRA as
    /// pytorch_lora_weights.safetensors next to another .safetensors file.
    final class Workspace {
        let folder = CLI.temporaryPath("lora-folder")
        let lora = CLI.repository.appendingPathComponent("Tests/Fixtures/hyper-sd/hyper-sd15-kohya.safetensors").path
        var adapter: String { folder + "/adapter" }
        init() throws {
            try FileManager.default.createDirectory(atPath: adapter, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: lora, toPath: adapter + "/pytorch_lora_weights.safetensors")
            try FileManager.default.copyItem(atPath: lora, toPath: adapter + "/optimizer.safetensors")
        }
        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    @Test(arguments: ["--lora", "--accelerator-lora"])
    func generateFusesTheFolderAsItsFile(option: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        func generate(_ lora: String, _ output: String) throws -> Image {
            let run = try CLI.run(["generate", "--model", "tiny-random", "--prompt", "a red apple", "--width", "64", "--height", "48",
                                   option, lora, "--output", workspace.folder + "/" + output])
            #expect(run.status == 0, "stderr: \(run.error)")
            return try PNG.read(path: workspace.folder + "/" + output)
        }
        let fromFolder = try generate(workspace.adapter, "folder.png")
        #expect(fromFolder.pixels == (try generate(workspace.lora, "file.png")).pixels)
        let plain = try CLI.run(["generate", "--model", "tiny-random", "--prompt", "a red apple", "--width", "64", "--height", "48",
                                 "--output", workspace.folder + "/plain.png"])
        #expect(plain.status == 0)
        #expect(fromFolder.pixels != (try PNG.read(path: workspace.folder + "/plain.png")).pixels, "the LoRA changes the image")
    }

    @Test func foldersWithoutOneWeightsFileFailClearly() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let workspace = try Workspace()
        try FileManager.default.removeItem(atPath: workspace.adapter + "/pytorch_lora_weights.safetensors")
        let none = try CLI.run(["generate", "--model", "tiny-random", "--prompt", "p", "--lora", workspace.adapter,
                                "--output", workspace.folder + "/out.png"])
        #expect(none.status != 0 && none.error.contains("has no pytorch_lora_weights.safetensors")
                && none.error.contains("optimizer.safetensors are not LoRA weights"), "\(none.error)")
        for name in ["a.safetensors", "b.safetensors"] {
            try FileManager.default.copyItem(atPath: workspace.lora, toPath: workspace.adapter + "/" + name)
        }
        let several = try CLI.run(["generate", "--model", "tiny-random", "--prompt", "p", "--lora", workspace.adapter,
                                   "--output", workspace.folder + "/out.png"])
        #expect(several.status != 0 && several.error.contains("several candidate weights files (a.safetensors, b.safetensors)"),
                "\(several.error)")
        #expect(!FileManager.default.fileExists(atPath: workspace.folder + "/out.png"))
    }

    @Test func forwardTakesAFolder() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let workspace = try Workspace()
        let fixtures = CLI.repository.appendingPathComponent("Tests/Fixtures").path
        func forward(_ lora: String, _ output: String) throws -> Data {
            let run = try CLI.run(["forward", "unet", "--model", fixtures + "/unet-sd1", "--input", fixtures + "/unet-sd1/inputs.safetensors",
                                   "--output", workspace.folder + "/" + output, "--lora", lora])
            #expect(run.status == 0, "stderr: \(run.error)")
            return try Data(contentsOf: URL(fileURLWithPath: workspace.folder + "/" + output))
        }
        let folder = workspace.folder + "/sd1-adapter"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixtures + "/lora/kohya-diffusers/lora.safetensors", toPath: folder + "/style.safetensors")
        #expect(try forward(folder, "folder.safetensors") == forward(fixtures + "/lora/kohya-diffusers/lora.safetensors", "file.safetensors"))
    }
}
