import Schedulers

/// Settings of a panorama (docs/ALGORITHM.md §4 "Panorama"; docs/REFERENCE_PIPELINE.md R10): one
/// prompt over a wide canvas, generated in overlapping views with latent pre-averaging.
public struct PanoramaSettings: Sendable {
    /// Image height in pixels (a multiple of 8).
    public var height: Int
    /// Image width in pixels (a multiple of 8), e.g. 3072 or 4608 for a 512-high panorama.
    public var width: Int
    /// The scheduler (default LCM; presets choose others).
    public var scheduler: SchedulerChoice = .lcm
    /// Slots or steps; LCM default ``SlotSchedule/panoramaSlots`` ([0, 12, 25, 37]: t 999/759/499/259).
    public var schedule: SlotSchedule = .panoramaSlots
    /// Classifier-free guidance scale; default 1 (no unconditional pass, the LCM setting).
    public var guidance: Float = 1
    /// Guidance rescaling when guidance > 1 (0: none; the SDXL presets: 0.7).
    public var guidanceRescale: Float = 0
    /// The tile is min(min(height, width), maximumTilePixels) pixels; default 512.
    public var maximumTilePixels: Int = 512
    /// The negative prompt's default when none is given (used only when guidance > 1).
    public var emptyPrompt: PromptInput = .text("")

    /// A panorama of `height` x `width` pixels with the defaults above.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// The tile in pixels: min(min(height, width), maximumTilePixels).
    public var tilePixels: Int { min(min(height, width), maximumTilePixels) }
}
