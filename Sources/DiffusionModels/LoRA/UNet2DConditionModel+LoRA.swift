import Foundation
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

    /// Loads the UNet configuration of `folder` (its `unet/config.json`, or `config.json` of a
    /// component folder) with the weights of `weightsFile` (diffusers keys; e.g. SDXL-Lightning's
    /// distilled `sdxl_lightning_4step_unet.safetensors` on SDXL base) and `loras` fused into them.
    /// The folder's own UNet weights are not read (and need not exist).
    public init(folder: String, weightsFile: String, loras: [LoRAReference]) throws {
        let nested = ((folder as NSString).appendingPathComponent("unet") as NSString).appendingPathComponent("config.json")
        let configurationPath = FileManager.default.fileExists(atPath: nested) ? nested : (folder as NSString).appendingPathComponent("config.json")
        let configuration = try UNetConfiguration.load(path: configurationPath)
        let overrides = loras.isEmpty ? [:] : try LoRAFusion.overrides(
            for: LoRAFusionTarget(unetWeightsPath: weightsFile, configuration: configuration), references: loras,
            hasSecondTextEncoder: LoRAWeights.folderHasSecondTextEncoder(folder))
        let store = try ParameterStore(path: weightsFile)
        store.overrides = overrides
        try self.init(configuration: configuration, store: store)
        try store.finish()
    }
}
