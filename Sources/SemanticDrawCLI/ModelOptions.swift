import ArgumentParser
import DiffusionModels
import SemanticDraw

/// The model options shared by `panorama`, `serve` and `download`: the same names and meaning
/// as in `generate`.
struct ModelOptions: ParsableArguments {
    @Option(help: "A diffusers folder, a .safetensors checkpoint, a Hugging Face repo id or tiny-random (default: KBlueLeaf/kohaku-v2.1 + LCM-LoRA + TAESD).")
    var model: String?

    @Option(name: .customLong("config"), help: "A diffusers folder whose config files describe a single-file checkpoint.")
    var configurationFolder: String?

    @Option(name: .customLong("lora"), help: "A LoRA file or repo id fused into the model (repeatable, in order).")
    var loras: [String] = []

    @Option(name: .customLong("lora-scale"), help: "Scale of the --lora at the same position (repeatable; default 1).")
    var loraScales: [Float] = []

    @Option(name: .customLong("tiny-vae"), help: "Decode with a tiny autoencoder (TAESD): a folder, a repo id (madebyollin/taesd), or tiny-random.")
    var tinyAutoencoder: String?

    func validate() throws {
        guard loraScales.count <= loras.count else {
            throw ValidationError("\(loraScales.count) --lora-scale values for \(loras.count) --lora (one scale per LoRA, in order)")
        }
    }

    /// The request: the default model set when --model is absent (user LoRAs fused after
    /// LCM-LoRA; --tiny-vae replaces TAESD), else exactly what was given.
    var request: ModelRequest {
        let references = loras.enumerated().map { LoRAReference(path: $1, scale: $0 < loraScales.count ? loraScales[$0] : 1) }
        var request = model == nil ? ModelRequest.defaultModel(extraLoRAs: references)
            : ModelRequest(model: model ?? "", loras: references)
        request.configurationFolder = configurationFolder
        if let tinyAutoencoder { request.tinyAutoencoder = tinyAutoencoder }
        return request
    }
}
