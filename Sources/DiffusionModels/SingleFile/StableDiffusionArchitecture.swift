/// The model families a single-file checkpoint may hold, told apart by its keys and shapes
/// (see ``SingleFileLayout``).
public enum StableDiffusionArchitecture: String, Sendable, CaseIterable {
    /// SD1.x: OpenAI CLIP ViT-L/14 text encoder under `cond_stage_model.transformer.`,
    /// cross-attention width 768, convolution `proj_in`.
    case stableDiffusion1
    /// SD2.x: OpenCLIP ViT-H/14 text encoder under `cond_stage_model.model.`, cross-attention
    /// width 1024, linear `proj_in`.
    case stableDiffusion2

    /// "Stable Diffusion 1.5" / "Stable Diffusion 2.1": the model whose configuration is built in.
    public var displayName: String {
        switch self {
        case .stableDiffusion1: return "Stable Diffusion 1.5"
        case .stableDiffusion2: return "Stable Diffusion 2.1"
        }
    }

    /// The tokenizer's pad token: `<|endoftext|>` for SD1.x, `!` (id 0) for SD2.x.
    public var tokenizerPadToken: String {
        switch self {
        case .stableDiffusion1: return "<|endoftext|>"
        case .stableDiffusion2: return "!"
        }
    }
}
