import ArgumentParser
import DiffusionModels
import Foundation

/// `semantic-draw export`: writes a built-in model as a diffusers pipeline folder.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a built-in model (tiny-random) as a diffusers pipeline folder.",
        discussion: """
        tiny-random is a Stable Diffusion 1.5-architecture model with random weights (see
        docs/TINY_RANDOM.md): its images are meaningless. The folder holds model_index.json,
        unet/, text_encoder/, tokenizer/, vae/, scheduler/ (LCMScheduler) and taesd/, and loads
        with diffusers' StableDiffusionPipeline.from_pretrained(DIR) and
        AutoencoderTiny.from_pretrained(DIR + "/taesd").
        """
    )

    @Argument(help: "The model to export: \(TinyRandomModel.name) or \(TinyRandomXLModel.name).")
    var model: String

    @Argument(help: "The folder to write (created if missing; must be empty unless --force).")
    var folder: String

    @Flag(help: "Write into a non-empty folder, replacing the model's files there.")
    var force = false

    func validate() throws {
        guard model == TinyRandomModel.name || model == TinyRandomXLModel.name else {
            throw ValidationError("unknown model '\(model)'; the built-in models are \(TinyRandomModel.name) and \(TinyRandomXLModel.name)")
        }
    }

    func run() throws {
        let isXL = model == TinyRandomXLModel.name
        FileHandle.standardError.write(Data("\(isXL ? TinyRandomXLModel.warning : TinyRandomModel.warning)\n".utf8))
        let start = Date()
        do {
            if isXL { try TinyRandomXLModel.export(to: folder, overwrite: force) } else { try TinyRandomModel.export(to: folder, overwrite: force) }
        } catch {
            throw CommandFailure(error.description)
        }
        let seconds = Date().timeIntervalSince(start)
        print("wrote \(model) to \(folder) in \(String(format: "%.2f", seconds)) s")
    }
}
