/// How one-shot generation draws its random numbers, so that a seed reproduces the reference
/// pipeline of a family (docs/REFERENCE_PIPELINE.md R9 and R15):
/// - ``perSlot``: the SD1.5 reference (R9): the initial latent, one bootstrap noise per view
///   while bootstrapping, and one full-size noise per slot transition, used by the noise part
///   and the background fill.
/// - ``initialNoise``: the authors' SDXL pipeline (R15): the initial noise is drawn once (twice
///   when generation starts from pure noise: their first draw is discarded) and reused: the
///   bootstrap latent and the background fill of every slot are noised with it, and slots draw
///   nothing (Euler's noise part is the identity).
public enum RandomNumberContract: String, Sendable, Equatable {
    case perSlot = "per-slot"
    case initialNoise = "initial-noise"
}
