/// How one-shot generation draws its random numbers, so that a seed reproduces the reference
/// pipeline of a family (docs/REFERENCE_PIPELINE.md R9, R15 and R16):
/// - ``perSlot``: the SD1.5 reference (R9): the initial latent, one bootstrap noise per view
///   while bootstrapping, and one full-size noise per slot transition, used by the noise part
///   and the background fill.
/// - ``initialNoise``: the authors' SDXL pipeline (R15): the initial noise is drawn once (twice
///   when generation starts from pure noise: their first draw is discarded) and reused: the
///   bootstrap latent and the background fill of every slot are noised with it, and slots draw
///   nothing (Euler's noise part is the identity).
/// - ``initialNoiseWithSlotDraws``: the authors' SD3 pipeline (R16): the initial noise as
///   ``initialNoise``, kept for the bootstrap latent and the background fill (the background
///   noised to the next slot with it, their `noise_bg_latents`), while the noise part of every
///   slot transition draws a fresh full-size noise (their `randn_like` in the split Flash step).
public enum RandomNumberContract: String, Sendable, Equatable {
    case perSlot = "per-slot"
    case initialNoise = "initial-noise"
    case initialNoiseWithSlotDraws = "initial-noise-with-slot-draws"
}
