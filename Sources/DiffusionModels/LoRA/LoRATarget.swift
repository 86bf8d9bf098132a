/// The network a LoRA layer adapts. A Stable Diffusion 1.x/2.x LoRA file may hold layers for
/// the UNet and the text encoder, an SDXL LoRA also for the second text encoder, an SD3 LoRA for
/// the MMDiT transformer; each is fused into its own network.
public enum LoRATarget: String, Sendable, CaseIterable, CustomStringConvertible {
    /// diffusers' `UNet2DConditionModel` (kohya prefix `lora_unet_`, diffusers prefix `unet.`).
    case unet
    /// transformers' `CLIPTextModel` (kohya prefix `lora_te_`, or `lora_te1_` in SDXL LoRAs;
    /// diffusers prefix `text_encoder.`).
    case textEncoder = "text-encoder"
    /// SDXL's second text encoder, transformers' `CLIPTextModelWithProjection` in
    /// `text_encoder_2/` (kohya prefix `lora_te2_`, diffusers prefix `text_encoder_2.`).
    /// Stable Diffusion 1.x/2.x models have none: their loaders refuse such layers.
    case textEncoder2 = "text-encoder-2"
    /// SD3's `SD3Transformer2DModel` in `transformer/` (diffusers prefix `transformer.`; a PEFT
    /// adapter saved from `PeftModel(transformer)`, such as Flash SD3's, prefix `base_model.model.`).
    /// UNet models have none: their loaders refuse such layers, and SD3 loaders refuse UNet layers.
    case transformer

    /// The network's name in messages ("UNet", "text encoder", "second text encoder").
    public var description: String {
        switch self {
        case .unet: return "UNet"
        case .textEncoder: return "text encoder"
        case .textEncoder2: return "second text encoder"
        case .transformer: return "transformer"
        }
    }
}
