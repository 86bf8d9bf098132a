import Schedulers

/// The fixed settings of one stream session (docs/ALGORITHM.md §5); defaults as the paper's stream.
/// Changing any of these means opening a new session; palette contents (background, brushes,
/// seed) change through ``StreamUpdate``s instead.
public struct StreamSettings: Sendable {
    /// Image height in pixels, a positive multiple of 8 (and of the autoencoder's factor).
    public var height: Int
    /// Image width in pixels, a positive multiple of 8 (and of the autoencoder's factor).
    public var width: Int
    /// The seed of the torch-compatible generator at start (change it later with ``StreamUpdate/seed(_:)``).
    public var seed: UInt64 = 0
    /// The scheduler (default LCM, the paper's stream; presets choose others).
    public var scheduler: SchedulerChoice = .lcm
    /// The slots: T = the stream's pipeline depth (at least 2). LCM default [0, 4, 12, 25, 37].
    public var schedule: SlotSchedule = .defaultSlots
    /// Classifier-free guidance; <= 1 (the default) runs no unconditional pass.
    public var guidance: Float = 1
    /// Guidance rescaling when guidance > 1 (0: none; the SDXL presets: 0.7, as the authors' SDXL stream).
    public var guidanceRescale: Float = 0
    /// Slots k < bootstrapSteps are bootstrapped (default 1).
    public var bootstrapSteps: Int = 1
    /// Slot k's bootstrap latent mixes white and background with r = clamp(mix - k, 0, 1) (default 1).
    public var bootstrapMix: Float = 1
    /// Mask quantisation (default continuous, the stream default of docs/ALGORITHM.md §2).
    public var quantization: MaskQuantization = .continuous
    /// Cover factor of mask preprocessing (default 0.3).
    public var coverFactor: Double = 0.3
    /// Whether bootstrap slots apply the one-shot pipeline's leak suppression
    /// m <- m (2 sigmoid(d / 0.2) - 1). Off by default: docs/ALGORITHM.md §5 and the authors' stream
    /// do not use it. Turning it on makes the stream's trajectory equal the one-shot pipeline's.
    public var suppressesBootstrapLeak: Bool = false
    /// The frame's one model evaluation of T x P latents runs in chunks of at most this many
    /// samples (nil: one call). On a CPU a batch of 20 full-size latents costs about 15% more per
    /// sample than batches of 4 (docs/PERFORMANCE.md), and the chunks give the same numbers; a
    /// GPU backend wants one call.
    public var modelBatchLimit: Int? = 4
    /// Case (d)'s background prompt.
    public var whitePrompt: PromptInput = .text("simple white background image")
    /// Case (b)'s background prompt (no captioner runs): the empty prompt.
    public var captionPrompt: PromptInput = .text("")
    /// The empty prompt, the default negative prompt.
    public var emptyPrompt: PromptInput = .text("")

    /// Settings for an H x W stream with the defaults above.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }
}
