import TensorRuntime

extension CLIPTextModel {
    /// Loads the text encoder in `subfolder` of `folder` (see
    /// ``init(folder:subfolder:overrides:)``) with `loras` fused into its weights, in order (see
    /// ``LoRAFusion``). Throws ``LoRAError`` for a LoRA that cannot be read or does not fit this
    /// text encoder, ``ModelLoadingError`` for the model itself. LoRAs fuse into the first text
    /// encoder (`text_encoder`) only: with another subfolder, `loras` must be empty.
    public init(folder: String, subfolder: String = "text_encoder", loras: [LoRAReference]) throws {
        if !loras.isEmpty && subfolder != "text_encoder" {
            throw ModelLoadingError.invalidInput(
                name: "lora", reason: "LoRAs can be fused into the first text encoder (text_encoder) only, not into \(subfolder)")
        }
        let overrides = loras.isEmpty ? [:] : try LoRAFusion.overrides(for: .textEncoder(folder: folder), references: loras)
        try self.init(folder: folder, subfolder: subfolder, overrides: overrides)
    }
}
