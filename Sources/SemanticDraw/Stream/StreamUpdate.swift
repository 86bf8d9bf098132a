import TensorRuntime

/// A change to a stream's palette, queued with ``StreamSession/enqueue(_:)`` and applied at the
/// start of the next frame (docs/ALGORITHM.md §5 step 1). Queued updates merge: per brush, and for
/// the background and the seed, the newest wins (see ``StreamUpdateQueue``).
///
/// Costs: masks, mask alpha, blur and prompt strength are the fast path (masks reprocessed,
/// no text encoding, no flush); a prompt or negative prompt not encoded before is the slow path
/// (encoded off the frame loop while frames keep using the old embeddings); a background image
/// is encoded once by the autoencoder at the frame that applies it.
public enum StreamUpdate: Sendable {
    /// Replaces the background (image and prompts; cases (a)-(d) of docs/ALGORITHM.md §4).
    case background(RegionBackground)
    /// Adds a brush in front of the others; an existing brush with the same id is replaced in place.
    case addBrush(StreamBrush)
    /// Changes some fields of a brush; edits of an unknown id are ignored.
    case editBrush(id: String, StreamBrushEdit)
    /// Removes a brush; removing an unknown id does nothing.
    case removeBrush(id: String)
    /// Reseeds: the generator restarts from `seed`, init_noise is redrawn, stock noise and the
    /// in-flight latents restart from zero (the stream then equals a new session with that seed).
    case seed(UInt64)

    /// A fast-path edit of a brush's mask, alpha and/or blur.
    public static func mask(id: String, _ mask: Tensor? = nil, alpha: Float? = nil, blur: Double? = nil) -> StreamUpdate {
        .editBrush(id: id, StreamBrushEdit(mask: mask, maskAlpha: alpha, maskBlur: blur))
    }

    /// An edit of a brush's prompt, negative prompt and/or prompt strength.
    public static func prompt(id: String, _ prompt: PromptInput? = nil, negative: PromptInput? = nil,
                              strength: Float? = nil) -> StreamUpdate {
        .editBrush(id: id, StreamBrushEdit(prompt: prompt, negativePrompt: negative, promptStrength: strength))
    }
}
