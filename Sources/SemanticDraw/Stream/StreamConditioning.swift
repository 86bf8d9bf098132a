import TensorRuntime

/// The text conditioning of one stream batch (ALGORITHM.md §3, §5): per region the background
/// embedding (case (c)) or the brush embedding lerp(e_bg, e_p, s_p) (torch.lerp's formula, as the
/// one-shot pipeline), repeated per slot timestep-major: row k*R + r is region r at slot k.
struct StreamConditioning {
    /// The embeddings of one region: conditional [1, S, D] and, with guidance, unconditional.
    struct RegionText {
        let conditional: Tensor
        let unconditional: Tensor?
    }

    /// [T*R, S, D], or [2*T*R, S, D] with the unconditional rows first when guided.
    let context: Tensor
    /// The guidance scale when the unconditional pass runs (> 1), else nil.
    let guidance: Float?
    let regionCount: Int

    /// Builds the batch conditioning; `brushes` carry their raw embeddings and prompt strength.
    /// Returns nil when there is no region.
    static func build(background: RegionText, brushes: [(text: RegionText, strength: Float)], generatesBackground: Bool,
                      slotCount: Int, guidance: Float) -> StreamConditioning? {
        let regionCount = brushes.count + (generatesBackground ? 1 : 0)
        guard regionCount > 0 else { return nil }
        let guided = guidance > 1
        func rows(_ select: (RegionText) -> Tensor?) -> Tensor? {
            guard let backgroundRow = select(background) else { return nil }
            var regions: [Tensor] = generatesBackground ? [backgroundRow] : []
            for brush in brushes {
                guard let row = select(brush.text) else { return nil }
                regions.append(RegionPipeline.lerp(backgroundRow, row, brush.strength))
            }
            let perSlot = Tensor.concatenateOuter(regions)
            return Tensor.concatenateOuter(Array(repeating: perSlot, count: slotCount))
        }
        guard let conditional = rows({ $0.conditional }) else { return nil }
        if guided, let unconditional = rows({ $0.unconditional }) {
            return StreamConditioning(context: Tensor.concatenateOuter([unconditional, conditional]), guidance: guidance,
                                      regionCount: regionCount)
        }
        return StreamConditioning(context: conditional, guidance: nil, regionCount: regionCount)
    }
}
