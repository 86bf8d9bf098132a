import TensorRuntime

extension SD3Transformer2DModel {
    /// Loads the transformer of `folder` (see ``init(folder:overrides:)``) with `loras` fused
    /// into its weights, in order (see ``LoRAFusion``): their `transformer.` / PEFT adapter
    /// (`base_model.model.`) layers; UNet layers are refused. Throws ``LoRAError`` for a LoRA
    /// that cannot be read or does not fit this transformer, ``ModelLoadingError`` for the model.
    public init(folder: String, loras: [LoRAReference]) throws {
        let overrides = loras.isEmpty ? [:] : try LoRAFusion.overrides(
            for: .transformer(folder: folder), references: loras, hasSecondTextEncoder: true)
        try self.init(folder: folder, overrides: overrides)
    }
}
