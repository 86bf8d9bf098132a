/// How the one-shot pipeline turns the background and white images into latents with the KL VAE
/// (docs/REPRODUCTION.md, docs/REFERENCE_PIPELINE.md R13).
public enum ImageEncoding: String, Sendable, Equatable, CaseIterable {
    /// A posterior sample, mean + std * n, with n drawn from the noise source in the authors'
    /// order: the background (cases a, b, d) first, then the bootstrap white latent (when the
    /// canvas exceeds 768 / f latent pixels on a side, as their cache check does), all before the
    /// initial latent. The default: `generate --seed S` then reproduces the authors' images.
    case posteriorSample
    /// The posterior mean and no draw (docs/ALGORITHM.md §4's Decision; independent of the seed).
    case posteriorMean
}

extension ImageEncoding {
    /// The palette's `image_encoding` values.
    static let paletteNames: [String: ImageEncoding] = ["sample": .posteriorSample, "mean": .posteriorMean]
}
