import DiffusionModels
import Foundation
import Schedulers
import Tokenizer

extension ModelLoader {
    /// An SD3/SD3.5 single file (docs/SINGLE_FILE.md, "SD3"): the transformer, the CLIP encoders
    /// and the VAE from the file, or those it lacks from `configurationFolder`; the tokenizers
    /// from the configuration folder's `tokenizer/` and `tokenizer_2/` when it has them, else the
    /// bundled CLIP ViT-L/14 tables (the second padding with "!", as SD3's `tokenizer_2`); the
    /// scheduler from the configuration folder or the built-in one. T5 in the file is not used.
    func loadSD3SingleFile(_ path: String, configurationFolder: String?, loras: [LoRAReference]) throws -> LoadedParts {
        let checkpoint = try component("checkpoint", path) { try SD3SingleFileCheckpoint(path: path) }
        log("loading \(checkpoint.publishedModel?.displayName ?? "SD3") checkpoint \(path)"
            + (configurationFolder.map { " with --config \($0)" } ?? "")
            + (loras.isEmpty ? "" : " (fusing \(loras.count) LoRA\(loras.count == 1 ? "" : "s"))"))
        let missing = [(checkpoint.hasTextEncoder, "text_encoder"), (checkpoint.hasTextEncoder2, "text_encoder_2"),
                       (checkpoint.hasAutoencoder, "vae")].filter { !$0.0 }.map(\.1)
        if !missing.isEmpty, let configurationFolder {
            log("the file has no \(missing.joined(separator: ", ")): loading \(missing.count == 1 ? "it" : "them") from \(configurationFolder)")
        }
        if checkpoint.hasT5 {
            log("text_encoders.t5xxl (T5) is not used: the SD3 set-up conditions on the two CLIP encoders (zero T5 tokens)")
        }
        let model = try component("checkpoint", path) { try checkpoint.load(configurationFolder: configurationFolder, loras: loras) }
        let tokenizer = try singleFileTokenizer(subfolder: "tokenizer", configurationFolder: configurationFolder, padToken: "<|endoftext|>")
        let tokenizer2 = try singleFileTokenizer(subfolder: "tokenizer_2", configurationFolder: configurationFolder, padToken: "!")
        let scheduler = try component("scheduler", path) {
            try SchedulerConfiguration(data: model.schedulerConfigurationJSON,
                                       file: configurationFolder.map { $0 + "/scheduler" } ?? "(built-in \(checkpoint.publishedModel?.displayName ?? "SD3") scheduler)")
        }
        let layout = PromptEncoder.SD3Layout(jointAttentionDimension: model.transformer.configuration.jointAttentionDimension)
        return LoadedParts(promptEncoder: PromptEncoder(tokenizer: tokenizer, textEncoder: model.textEncoder,
                                                        second: PromptEncoder.SecondEncoder(tokenizer: tokenizer2, textEncoder: model.textEncoder2),
                                                        sd3Layout: layout),
                           denoiser: model.transformer, autoencoder: model.autoencoder, scheduler: scheduler)
    }
}
