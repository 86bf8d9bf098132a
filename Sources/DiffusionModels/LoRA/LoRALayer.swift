import TensorRuntime

/// One layer of a LoRA file: the low-rank factors of one module's weight update,
/// ΔW = (alpha / rank) * up @ down.
///
/// `down` is [rank, in] for a linear layer or [rank, in, kh, kw] for a convolution (LoRA's first
/// convolution has the module's kernel); `up` is [out, rank] or [out, rank, 1, 1].
public struct LoRALayer: Sendable {
    /// The network the layer adapts.
    public let target: LoRATarget
    /// The module as the file spells it: kohya's underscored name without the `lora_unet_` /
    /// `lora_te_` prefix, or the diffusers module path without `unet.` / `text_encoder.` (legacy
    /// attention-processor spellings normalised to the module they adapt).
    public let module: String
    /// Whether `module` is underscored (kohya) or dotted (diffusers/PEFT).
    public let spelling: LoRAModuleSpelling
    /// The keys of the factors in the file.
    public let downKey: String, upKey: String
    /// The key of the kohya `.alpha` tensor, when there is one.
    public let alphaKey: String?
    /// The factors, float32.
    public let down: Tensor, up: Tensor
    /// kohya's alpha (`nil`: none in the file; kohya then uses alpha = rank).
    public let alpha: Float?
    /// Which convention decides the layer's alpha.
    let family: LoRAKeyFamily

    /// The rank: the first dimension of `down`.
    public var rank: Int { down.shape[0] }
}
