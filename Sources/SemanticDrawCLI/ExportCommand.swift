import ArgumentParser
import DiffusionModels
import Foundation
import SemanticDraw

/// `semantic-draw export`: writes a built-in model as a diffusers pipeline folder.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a built-in model (tiny-random, tiny-random-xl, tiny-random-sd3) as a diffusers pipeline folder.",
        discussion: """
        tiny-random is a Stable Diffusion 1.5-architecture model with random weights (see
        docs/TINY_RANDOM.md): its images are meaningless. The folder holds model_index.json,
        unet/, text_encoder/, tokenizer/, vae/, scheduler/ (LCMScheduler) and taesd/, and loads
        with diffusers' StableDiffusionPipeline.from_pretrained(DIR) and
        AutoencoderTiny.from_pretrained(DIR + "/taesd"). tiny-random-xl is the same for SDXL
        (StableDiffusionXLPipeline), tiny-random-sd3 for SD3 without T5 (StableDiffusion3Pipeline
        with transformer/, text_encoder_2/, tokenizer_2/ and a 16-channel VAE and TAESD).
        """
    )

    @Argument(help: "The model to export: \(ModelReference.builtInNames.joined(separator: ", ")).")
    var model: String

    @Argument(help: "The folder to write (created if missing; must be empty unless --force).")
    var folder: String

    @Flag(help: "Write into a non-empty folder, replacing the model's files there.")
    var force = false

    func validate() throws {
        guard ModelReference.builtInNames.contains(model) else {
            throw ValidationError("unknown model '\(model)'; the built-in models are \(ModelReference.builtInNames.joined(separator: ", "))")
        }
    }

    func run() throws {
        let start = Date()
        do {
            switch model {
            case TinyRandomXLModel.name:
                FileHandle.standardError.write(Data("\(TinyRandomXLModel.warning)\n".utf8))
                try TinyRandomXLModel.export(to: folder, overwrite: force)
            case TinyRandomSD3Model.name:
                FileHandle.standardError.write(Data("\(TinyRandomSD3Model.warning)\n".utf8))
                try TinyRandomSD3Model.export(to: folder, overwrite: force)
            default:
                FileHandle.standardError.write(Data("\(TinyRandomModel.warning)\n".utf8))
                try TinyRandomModel.export(to: folder, overwrite: force)
            }
        } catch {
            throw CommandFailure(error.description)
        }
        let seconds = Date().timeIntervalSince(start)
        print("wrote \(model) to \(folder) in \(String(format: "%.2f", seconds)) s")
    }
}
