import DiffusionModels
import Foundation
import Schedulers
import Tokenizer

extension ModelLoader {
    /// An SD3/SD3.5 diffusers pipeline folder (`StableDiffusion3Pipeline`): `tokenizer/` +
    /// `text_encoder/` and `tokenizer_2/` + `text_encoder_2/` (both `CLIPTextModelWithProjection`),
    /// `transformer/` (`SD3Transformer2DModel`), `vae/` (when no tiny autoencoder replaces it) and
    /// `scheduler/`. LoRAs are fused into the transformer (`transformer.` and PEFT adapter layers,
    /// e.g. Flash SD3) and the text encoders. `text_encoder_3/` and `tokenizer_3/` (T5) may be
    /// present and are not read: SemanticDraw's SD3 set-up, as the authors' and Flash SD3's,
    /// conditions on the two CLIP encoders only (docs/SD3.md).
    func loadSD3Folder(_ path: String, loras: [LoRAReference], needsAutoencoder: Bool) throws -> LoadedParts {
        let join = { (name: String) in (path as NSString).appendingPathComponent(name) }
        log("loading tokenizers and text encoders from \(path)")
        let tokenizer = try component("tokenizer", join("tokenizer")) { try CLIPTokenizer(folder: path) }
        let textEncoder = try component("text encoder", join("text_encoder")) {
            try CLIPTextModel(folder: path, subfolder: "text_encoder", loras: loras)
        }
        let tokenizer2 = try component("tokenizer_2", join("tokenizer_2")) { try CLIPTokenizer(folder: path, subfolder: "tokenizer_2") }
        let textEncoder2 = try component("text encoder 2", join("text_encoder_2")) {
            try CLIPTextModel(folder: path, subfolder: "text_encoder_2", loras: loras)
        }
        if FileManager.default.fileExists(atPath: join("text_encoder_3")) {
            log("text_encoder_3 (T5) is not used: the SD3 set-up conditions on the two CLIP encoders (zero T5 tokens)")
        }
        log("loading transformer from \(path)" + (loras.isEmpty ? "" : " (fusing \(loras.count) LoRA\(loras.count == 1 ? "" : "s"))"))
        let transformer = try component("transformer", join("transformer")) { try SD3Transformer2DModel(folder: path, loras: loras) }
        var autoencoder: AutoencoderKL?
        if needsAutoencoder {
            log("loading vae from \(path)")
            autoencoder = try component("vae", join("vae")) { try AutoencoderKL(folder: join("vae")) }
        }
        let scheduler = try component("scheduler", join("scheduler")) { try SchedulerConfiguration(folder: path) }
        let layout = PromptEncoder.SD3Layout(jointAttentionDimension: transformer.configuration.jointAttentionDimension)
        return LoadedParts(promptEncoder: PromptEncoder(tokenizer: tokenizer, textEncoder: textEncoder,
                                                        second: PromptEncoder.SecondEncoder(tokenizer: tokenizer2, textEncoder: textEncoder2),
                                                        sd3Layout: layout),
                           denoiser: transformer, autoencoder: autoencoder, scheduler: scheduler)
    }
}
