import Foundation
import ImageCodecs
import SemanticDraw
import Testing

/// `generate` and `export` with the built-in tiny random models of the SDXL and SD3 families:
/// each family's preset (Lightning with guidance rescale 0.7 and both text encoders and time ids
/// on SDXL; Flash on SD3), the palette recording family and accelerator, and the exported folder
/// loading to the same image.
@Suite struct BuiltInFamilyModelTests {
    typealias CLI = ForwardCommandTests
    typealias Workspace = GenerateCommandTests.Workspace

    /// A built-in model, the family and default accelerator its palette must record, and files
    /// its export must contain.
    struct BuiltInModel: Sendable, CustomTestStringConvertible {
        let name: String
        let family: ModelFamily
        let accelerator: Accelerator
        let exportedFiles: [String]
        var testDescription: String { name }
    }

    static let models = [
        BuiltInModel(name: "tiny-random-xl", family: .stableDiffusionXL, accelerator: .lightning,
                     exportedFiles: ["model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                                     "text_encoder/model.safetensors", "text_encoder_2/model.safetensors", "tokenizer_2/vocab.json",
                                     "vae/config.json", "taesd/config.json"]),
        BuiltInModel(name: "tiny-random-sd3", family: .stableDiffusion3, accelerator: .flash,
                     exportedFiles: ["model_index.json", "transformer/config.json", "transformer/diffusion_pytorch_model.safetensors",
                                     "text_encoder_2/model.safetensors", "tokenizer_2/vocab.json", "vae/config.json", "taesd/config.json"]),
    ]

    @Test(arguments: models) func generatesRecordsItsFamilyAndItsExportGivesTheSameImage(model: BuiltInModel) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        let options = ["--mask-std", "2", "--prompt", "a red apple", "--mask", workspace.path("disc.png"),
                       "--prompt", "blue sky", "--mask", workspace.path("half.png"), "--background-prompt", "a meadow",
                       "--guidance", "2", "--seed", "5"]
        let builtInImage = workspace.path("built-in.png")
        let builtIn = try CLI.run(["generate", "--model", model.name] + options + ["--output", builtInImage])
        #expect(builtIn.status == 0, "stderr: \(builtIn.error)")
        let palette = try Palette.fromPNG(path: builtInImage)
        #expect(palette.family == model.family && palette.accelerator == model.accelerator && palette.guidance == 2)

        let folder = workspace.path(model.name)
        let export = try CLI.run(["export", model.name, folder])
        #expect(export.status == 0, "stderr: \(export.error)")
        for file in model.exportedFiles {
            #expect(FileManager.default.fileExists(atPath: folder + "/" + file), "\(file) is exported")
        }
        // A folder gets the preset's accelerator LoRA from the hub unless told otherwise (the built-in model fuses none).
        let folderImage = workspace.path("folder.png")
        let exported = try CLI.run(["generate", "--model", folder, "--accelerator-lora", "none"] + options + ["--output", folderImage])
        #expect(exported.status == 0, "stderr: \(exported.error)")
        #expect(try PNG.read(path: builtInImage).pixels == PNG.read(path: folderImage).pixels,
                "the built-in model and its export give the same image")
    }
}
