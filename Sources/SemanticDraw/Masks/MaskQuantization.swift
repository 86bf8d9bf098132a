/// How a brush's blurred mask becomes one mask per scheduler slot (docs/ALGORITHM.md §2, step 5).
///
/// With noise levels b_0 > b_1 > ... > b_{T-1} and b_T = 0:
/// - ``discrete``: m_i = 1 where m > b_i (strictly), else 0 — the one-shot default; a blurred
///   brush grows from its core outwards as the noise level drops.
/// - ``continuous``: m_i = clamp((m - b_{i+1}) / (b_i - b_{i+1}), 0, 1) — the stream default.
public enum MaskQuantization: String, Sendable, CaseIterable {
    /// Binary masks, m_i = [m > b_i].
    case discrete
    /// Soft masks ramping from b_{i+1} (0) to b_i (1).
    case continuous
}
