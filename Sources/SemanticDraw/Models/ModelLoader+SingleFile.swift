import DiffusionModels
import Foundation
import Schedulers
import Tokenizer

extension ModelLoader {
    /// A single-file LDM checkpoint (docs/SINGLE_FILE.md): the architecture from its tensor
    /// shapes or `configurationFolder`; the tokenizer from the configuration folder when it has
    /// one, else the bundled CLIP ViT-L/14 tables with the architecture's pad token; the
    /// scheduler from the configuration folder or the architecture's built-in one. An SDXL file
    /// also gets its second tokenizer (`tokenizer_2/` of the configuration folder, else the
    /// bundled tables padding with "!", as SDXL's) and text encoder.
    func loadSingleFile(_ path: String, configurationFolder: String?, loras: [LoRAReference]) throws -> LoadedParts {
        if SD3SingleFileCheckpoint.holdsSD3(path: path) {
            return try loadSD3SingleFile(path, configurationFolder: configurationFolder, loras: loras)
        }
        let checkpoint = try component("checkpoint", path) { try SingleFileCheckpoint(path: path) }
        log("loading \(checkpoint.architecture.displayName) checkpoint \(path)"
            + (configurationFolder.map { " with --config \($0)" } ?? "")
            + (loras.isEmpty ? "" : " (fusing \(loras.count) LoRA\(loras.count == 1 ? "" : "s"))"))
        let model = try component("checkpoint", path) { try checkpoint.load(configurationFolder: configurationFolder, loras: loras) }
        let tokenizer = try singleFileTokenizer(subfolder: "tokenizer", configurationFolder: configurationFolder, padToken: model.tokenizerPadToken)
        var second: PromptEncoder.SecondEncoder?
        if let textEncoder2 = model.textEncoder2 {
            let tokenizer2 = try singleFileTokenizer(subfolder: "tokenizer_2", configurationFolder: configurationFolder, padToken: "!")
            second = PromptEncoder.SecondEncoder(tokenizer: tokenizer2, textEncoder: textEncoder2)
        }
        let scheduler = try component("scheduler", path) {
            try SchedulerConfiguration(data: model.schedulerConfigurationJSON, file: configurationFolder.map { $0 + "/scheduler" } ?? "(built-in \(checkpoint.architecture.displayName) scheduler)")
        }
        return LoadedParts(promptEncoder: PromptEncoder(tokenizer: tokenizer, textEncoder: model.textEncoder, second: second), unet: model.unet,
                           autoencoder: model.autoencoder, scheduler: scheduler)
    }

    /// The tokenizer in `subfolder` of the configuration folder when it has one (vocab/merges or
    /// `tokenizer.json`), else the bundled CLIP ViT-L/14 tables with `padToken`.
    func singleFileTokenizer(subfolder: String, configurationFolder: String?, padToken: String) throws -> CLIPTokenizer {
        if let configurationFolder {
            let folder = (configurationFolder as NSString).appendingPathComponent(subfolder)
            let files = ["vocab.json", "tokenizer.json"].map { (folder as NSString).appendingPathComponent($0) }
            if files.contains(where: FileManager.default.fileExists(atPath:)) {
                return try component(subfolder, folder) { try CLIPTokenizer(folder: configurationFolder, subfolder: subfolder) }
            }
        }
        return try component(subfolder, "(bundled CLIP ViT-L/14)") { try CLIPTokenizer.bundledCLIP(padToken: padToken) }
    }
}
