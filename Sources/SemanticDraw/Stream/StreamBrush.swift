import TensorRuntime

/// One semantic brush of a live stream (docs/ALGORITHM.md §2-§3), identified by `id`.
public struct StreamBrush: Sendable {
    /// Names the brush in updates; unique within a session.
    public var id: String
    /// What to paint.
    public var prompt: PromptInput
    /// What to avoid (used when guidance > 1); nil means the empty prompt.
    public var negativePrompt: PromptInput?
    /// s_p: the brush embedding becomes lerp(e_bg, e_p, s_p) (default 1).
    public var promptStrength: Float
    /// [H0, W0] in 0...1, 1 = inside, resized bilinearly to the canvas; nil is an empty mask.
    public var mask: Tensor?
    /// Mask alpha in 0...1 (default 1).
    public var maskAlpha: Float
    /// Gaussian blur standard deviation in image pixels (stream default 8; 0 = none).
    public var maskBlur: Double

    /// A brush with the stream's defaults for strength, alpha and blur.
    public init(id: String, prompt: PromptInput, negativePrompt: PromptInput? = nil, promptStrength: Float = 1,
                mask: Tensor? = nil, maskAlpha: Float = 1, maskBlur: Double = 8) {
        self.id = id
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.promptStrength = promptStrength
        self.mask = mask
        self.maskAlpha = maskAlpha
        self.maskBlur = maskBlur
    }
}

/// A partial change of one brush: nil fields stay as they are. Text fields (prompt, negative
/// prompt) take the slow path (text encoding off the frame loop); everything else is applied
/// at the start of the next frame without any text encoding.
public struct StreamBrushEdit: Sendable {
    public var prompt: PromptInput?
    /// A new negative prompt (set the empty prompt to clear it).
    public var negativePrompt: PromptInput?
    public var promptStrength: Float?
    public var mask: Tensor?
    public var maskAlpha: Float?
    public var maskBlur: Double?

    /// An edit of the given fields.
    public init(prompt: PromptInput? = nil, negativePrompt: PromptInput? = nil, promptStrength: Float? = nil,
                mask: Tensor? = nil, maskAlpha: Float? = nil, maskBlur: Double? = nil) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.promptStrength = promptStrength
        self.mask = mask
        self.maskAlpha = maskAlpha
        self.maskBlur = maskBlur
    }

    /// Whether the edit needs text encoding (prompt or negative prompt).
    public var changesText: Bool { prompt != nil || negativePrompt != nil }

    /// This (newer) edit over an older one: field by field, the newer value wins.
    public func merged(over older: StreamBrushEdit) -> StreamBrushEdit {
        StreamBrushEdit(prompt: prompt ?? older.prompt, negativePrompt: negativePrompt ?? older.negativePrompt,
                        promptStrength: promptStrength ?? older.promptStrength, mask: mask ?? older.mask,
                        maskAlpha: maskAlpha ?? older.maskAlpha, maskBlur: maskBlur ?? older.maskBlur)
    }

    /// `brush` with this edit applied.
    public func applied(to brush: StreamBrush) -> StreamBrush {
        var result = brush
        if let prompt { result.prompt = prompt }
        if let negativePrompt { result.negativePrompt = negativePrompt }
        if let promptStrength { result.promptStrength = promptStrength }
        if let mask { result.mask = mask }
        if let maskAlpha { result.maskAlpha = maskAlpha }
        if let maskBlur { result.maskBlur = maskBlur }
        return result
    }
}
