import TensorRuntime

extension CLIPTextModel {
    /// Loads the text encoder in `subfolder` of `folder` (see
    /// ``init(folder:subfolder:overrides:)``) with `loras` fused into its weights, in order (see
    /// ``LoRAFusion``). Throws ``LoRAError`` for a LoRA that cannot be read or does not fit this
    /// text encoder, ``ModelLoadingError`` for the model itself. `text_encoder` takes a LoRA's
    /// first-encoder layers (`lora_te_`/`lora_te1_`, `text_encoder.`), `text_encoder_2` its
    /// second-encoder layers (`lora_te2_`, `text_encoder_2.`); second-encoder layers are refused
    /// when `folder` has no `text_encoder_2/`.
    public init(folder: String, subfolder: String = "text_encoder", loras: [LoRAReference]) throws {
        let target: LoRAFusionTarget?
        switch (loras.isEmpty, subfolder) {
        case (true, _): target = nil
        case (false, "text_encoder"): target = try .textEncoder(folder: folder)
        case (false, "text_encoder_2"): target = try .textEncoder2(folder: folder)
        default:
            throw ModelLoadingError.invalidInput(
                name: "lora", reason: "LoRAs fuse into text_encoder or text_encoder_2, not into \(subfolder)")
        }
        let overrides = try target.map {
            try LoRAFusion.overrides(for: $0, references: loras, hasSecondTextEncoder: LoRAWeights.folderHasSecondTextEncoder(folder))
        } ?? [:]
        try self.init(folder: folder, subfolder: subfolder, overrides: overrides)
    }
}
