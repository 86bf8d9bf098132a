import TensorRuntime

/// One frame of a live stream.
public struct StreamFrame: Sendable {
    /// 0 for the session's first frame, counting up.
    public let index: Int
    /// The decoded last slot, [3, H, W] in 0...1 (no pixel blend with the background image).
    public let image: Tensor
    /// The latent that was decoded, [1, C, h, w] (scaled, as the UNet sees it).
    public let latent: Tensor
    /// Whether this frame's model call used every update applied so far: no text encoding is
    /// pending for the current prompts (false while the stream runs on old embeddings).
    public let conditioningIsCurrent: Bool
    /// Frames since the conditioning, masks, background or seed last changed: 0 on the frame that
    /// applied a change. The output latent entered the pipe T - 1 frames before it is shown.
    public let framesSinceChange: Int
    /// Whether the whole trajectory of this frame's latent ran under the current palette:
    /// `conditioningIsCurrent` and `framesSinceChange >= T - 1`.
    public let reflectsLatestPalette: Bool
    /// Wall-clock seconds this frame took (updates, model call, decode).
    public let seconds: Double
}
