/// The text conditioning of one stream batch (docs/ALGORITHM.md §3, §5): per region the background
/// conditioning (case (c)) or the brush conditioning lerp(e_bg, e_p, s_p) (torch.lerp's
/// formula, as the one-shot pipeline), repeated per slot timestep-major: row k*R + r is region
/// r at slot k.
struct StreamConditioning {
    /// The conditioning of one region: conditional and, with guidance, unconditional (one row each).
    struct RegionText {
        let conditional: TextConditioning
        let unconditional: TextConditioning?
    }

    /// T*R rows (and the unconditional rows when guided).
    let rows: RegionConditioning
    let regionCount: Int

    /// Builds the batch conditioning; `brushes` carry their raw conditioning and prompt strength.
    /// Returns nil when there is no region.
    static func build(background: RegionText, brushes: [(text: RegionText, strength: Float)], generatesBackground: Bool,
                      slotCount: Int, guidance: Float, guidanceRescale: Float = 0) -> StreamConditioning? {
        let regionCount = brushes.count + (generatesBackground ? 1 : 0)
        guard regionCount > 0 else { return nil }
        func rows(_ select: (RegionText) -> TextConditioning?) -> TextConditioning? {
            guard let backgroundRow = select(background) else { return nil }
            var regions: [TextConditioning] = generatesBackground ? [backgroundRow] : []
            for brush in brushes {
                guard let row = select(brush.text) else { return nil }
                regions.append(TextConditioning.lerp(backgroundRow, row, weight: brush.strength))
            }
            return TextConditioning.concatenated(regions).repeated(slotCount)
        }
        guard let conditional = rows({ $0.conditional }) else { return nil }
        let unconditional = guidance > 1 ? rows({ $0.unconditional }) : nil
        return StreamConditioning(rows: RegionConditioning(conditional: conditional, unconditional: unconditional, guidance: guidance,
                                                           guidanceRescale: guidanceRescale),
                                  regionCount: regionCount)
    }
}
