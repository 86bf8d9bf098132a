import TensorRuntime

extension UNet2DConditionModel {
    /// Loads the UNet of `folder` (see ``init(folder:overrides:)``) with `loras` fused into its
    /// weights, in order (see ``LoRAFusion``). Throws ``LoRAError`` for a LoRA that cannot be read
    /// or does not fit this UNet, ``ModelLoadingError`` for the model itself. Layers for SDXL's
    /// second text encoder are refused unless `folder` has `text_encoder_2/`.
    public init(folder: String, loras: [LoRAReference]) throws {
        let overrides = loras.isEmpty ? [:] : try LoRAFusion.overrides(
            for: .unet(folder: folder), references: loras, hasSecondTextEncoder: LoRAWeights.folderHasSecondTextEncoder(folder))
        try self.init(folder: folder, overrides: overrides)
    }
}
