/// Per-row text conditioning of a region batch: conditional rows, unconditional rows when
/// guidance applies, and the guidance scale (docs/ALGORITHM.md §3). Row r is region r (the
/// stream: row k*R + r is region r at slot k).
public struct RegionConditioning: Sendable {
    /// One row per region copy.
    public let conditional: TextConditioning
    /// The negative prompts' rows, used when `guidance > 1`.
    public let unconditional: TextConditioning?
    /// The classifier-free guidance scale; <= 1 skips the unconditional pass entirely.
    public let guidance: Float
    /// Guidance rescaling (0: none; the SDXL presets use 0.7), applied when guidance applies
    /// (``RegionStepMath/guided(_:scale:rescale:)``).
    public let guidanceRescale: Float

    public init(conditional: TextConditioning, unconditional: TextConditioning?, guidance: Float, guidanceRescale: Float = 0) {
        self.conditional = conditional
        self.unconditional = unconditional
        self.guidance = guidance
        self.guidanceRescale = guidanceRescale
    }

    /// The number of rows.
    public var count: Int { conditional.count }

    /// What one batched model call reads: the rows (unconditional first when guided), the
    /// scale to combine the two halves with (nil when there is no unconditional pass) and the
    /// guidance rescale.
    public var modelBatch: ModelBatch {
        guard guidance > 1, let unconditional else { return ModelBatch(conditioning: conditional, guidance: nil, guidanceRescale: 0) }
        return ModelBatch(conditioning: TextConditioning.concatenated([unconditional, conditional]), guidance: guidance,
                          guidanceRescale: guidanceRescale)
    }
}

/// The conditioning of one batched model call (``RegionConditioning/modelBatch``).
public struct ModelBatch: Sendable {
    /// N rows, or 2N (unconditional first) when guided.
    public let conditioning: TextConditioning
    /// The guidance scale, nil when there is no unconditional pass.
    public let guidance: Float?
    /// Guidance rescaling (0: none).
    public let guidanceRescale: Float
}
