import Foundation

extension LoRAWeights {
    /// Throws ``LoRAError/unsupportedKey(file:key:reason:)`` naming the first layer for SDXL's
    /// second text encoder (`lora_te2_`, `text_encoder_2.`) when the model being loaded has
    /// none (a Stable Diffusion 1.x/2.x model, `hasSecondTextEncoder` false); such layers are
    /// otherwise skipped by the networks they do not adapt.
    public func checkSecondTextEncoder(present hasSecondTextEncoder: Bool) throws {
        guard !hasSecondTextEncoder, let layer = layers(for: .textEncoder2).first else { return }
        throw LoRAError.unsupportedKey(file: path, key: layer.downKey,
                                       reason: "lora_te2_/text_encoder_2. layers adapt SDXL's second text encoder; this is a Stable Diffusion 1.x/2.x model with one")
    }

    /// Throws ``LoRAError/unsupportedKey(file:key:reason:)`` naming the first layer for the
    /// denoiser this model does not have: SD3 transformer layers (`transformer.`, a PEFT
    /// adapter's `base_model.model.`) when `denoiser` is ``LoRATarget/unet``, UNet layers when it
    /// is ``LoRATarget/transformer``. Without this check such layers would be skipped silently.
    public func checkDenoiser(_ denoiser: LoRATarget) throws {
        switch denoiser {
        case .unet:
            guard let layer = layers(for: .transformer).first else { return }
            throw LoRAError.unsupportedKey(file: path, key: layer.downKey,
                reason: "transformer./base_model.model. layers adapt SD3's transformer (a PEFT adapter such as Flash SD3's); this model has a UNet")
        case .transformer:
            guard let layer = layers(for: .unet).first else { return }
            throw LoRAError.unsupportedKey(file: path, key: layer.downKey,
                reason: "lora_unet_/unet. layers adapt a UNet (Stable Diffusion 1.x/2.x/XL); this SD3 model has a transformer")
        case .textEncoder, .textEncoder2:
            return
        }
    }

    /// Whether the diffusers folder `folder` (a pipeline folder) has SDXL's `text_encoder_2/`.
    static func folderHasSecondTextEncoder(_ folder: String) -> Bool {
        var isDirectory: ObjCBool = false
        let path = (folder as NSString).appendingPathComponent("text_encoder_2")
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
