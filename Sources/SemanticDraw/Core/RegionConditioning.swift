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

    public init(conditional: TextConditioning, unconditional: TextConditioning?, guidance: Float) {
        self.conditional = conditional
        self.unconditional = unconditional
        self.guidance = guidance
    }

    /// The number of rows.
    public var count: Int { conditional.count }

    /// What one batched model call reads: the rows (unconditional first when guided) and the
    /// scale to combine the two halves with (nil when there is no unconditional pass).
    public var modelBatch: (conditioning: TextConditioning, guidance: Float?) {
        guard guidance > 1, let unconditional else { return (conditional, nil) }
        return (TextConditioning.concatenated([unconditional, conditional]), guidance)
    }
}
