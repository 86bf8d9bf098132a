/// A LoRA to fuse and the strength to fuse it with (diffusers' `fuse_lora(lora_scale:)`,
/// the `<lora:name:scale>` multiplier of other tools).
public struct LoRAReference: Sendable, Equatable {
    /// The safetensors file, or a folder holding it (its `pytorch_lora_weights.safetensors` or
    /// only `.safetensors` file, ``LoRAFile``).
    public var path: String
    /// Multiplies the LoRA's own alpha / rank; 1 applies it as trained, 0 not at all.
    public var scale: Float

    /// The LoRA at `path`, fused with strength `scale`.
    public init(path: String, scale: Float = 1) {
        self.path = path
        self.scale = scale
    }
}
