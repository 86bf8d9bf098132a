/// The network a LoRA layer adapts. A Stable Diffusion 1.x/2.x LoRA file may hold layers for
/// both; each is fused into its own network.
public enum LoRATarget: String, Sendable, CaseIterable, CustomStringConvertible {
    /// diffusers' `UNet2DConditionModel` (kohya prefix `lora_unet_`, diffusers prefix `unet.`).
    case unet
    /// transformers' `CLIPTextModel` (kohya prefix `lora_te_`, diffusers prefix `text_encoder.`).
    case textEncoder = "text-encoder"

    /// The network's name in messages ("UNet", "text encoder").
    public var description: String {
        switch self {
        case .unet: return "UNet"
        case .textEncoder: return "text encoder"
        }
    }
}
