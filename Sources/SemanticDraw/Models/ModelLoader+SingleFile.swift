import DiffusionModels
import Foundation
import Schedulers
import Tokenizer

extension ModelLoader {
    /// A single-file LDM checkpoint (docs/SINGLE_FILE.md): the architecture from its tensor
    /// shapes or `configurationFolder`; the tokenizer from the configuration folder when it has
    /// one, else the bundled CLIP ViT-L/14 tables with the architecture's pad token; the
    /// scheduler from the configuration folder or the architecture's built-in one.
    func loadSingleFile(_ path: String, configurationFolder: String?, loras: [LoRAReference]) throws -> LoadedParts {
        let checkpoint = try component("checkpoint", path) { try SingleFileCheckpoint(path: path) }
        log("loading \(checkpoint.architecture.displayName) checkpoint \(path)"
            + (configurationFolder.map { " with --config \($0)" } ?? "")
            + (loras.isEmpty ? "" : " (fusing \(loras.count) LoRA\(loras.count == 1 ? "" : "s"))"))
        let model = try component("checkpoint", path) { try checkpoint.load(configurationFolder: configurationFolder, loras: loras) }
        let tokenizer: CLIPTokenizer
        if let configurationFolder,
           FileManager.default.fileExists(atPath: (configurationFolder as NSString).appendingPathComponent("tokenizer/vocab.json")) {
            tokenizer = try component("tokenizer", configurationFolder) { try CLIPTokenizer(folder: configurationFolder) }
        } else {
            tokenizer = try component("tokenizer", "(bundled CLIP ViT-L/14)") { try CLIPTokenizer.bundledCLIP(padToken: model.tokenizerPadToken) }
        }
        let scheduler = try component("scheduler", path) {
            try SchedulerConfiguration(data: model.schedulerConfigurationJSON, file: configurationFolder.map { $0 + "/scheduler" } ?? "(built-in \(checkpoint.architecture.displayName) scheduler)")
        }
        return LoadedParts(promptEncoder: PromptEncoder(tokenizer: tokenizer, textEncoder: model.textEncoder), unet: model.unet,
                           autoencoder: model.autoencoder, scheduler: scheduler)
    }
}
