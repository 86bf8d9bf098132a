import Foundation
import TensorRuntime

/// The KL autoencoder's posterior, diffusers' `DiagonalGaussianDistribution`: mean and standard
/// deviation exp(0.5 * clamp(logvar, -30, 20)) per latent element.
public struct DiagonalGaussianPosterior: Sendable {
    /// [B, latent, h, w].
    public let mean: Tensor
    /// [B, latent, h, w].
    public let standardDeviation: Tensor

    /// mean + std * noise, as `latent_dist.sample()` computes it in float32 (`noise` is the
    /// standard normal draw of the mean's shape).
    public func sample(noise: Tensor) throws -> Tensor {
        guard noise.shape == mean.shape else {
            throw ModelLoadingError.invalidInput(name: "noise", reason: "has shape \(noise.shape), expected \(mean.shape)")
        }
        return mean + standardDeviation * noise
    }
}

extension AutoencoderKL {
    /// The posterior of images [B, in, H, W] in [-1, 1] (unscaled latents).
    public func posterior(_ images: Tensor) throws -> DiagonalGaussianPosterior {
        let moments = try moments(images)
        let batch = moments.shape[0], latent = configuration.latentChannels
        let plane = moments.shape[2] * moments.shape[3]
        let shape = [batch, latent, moments.shape[2], moments.shape[3]]
        // moments [B, 2L, h, w] = [mean; log variance] per image; std = exp(0.5 * clamp(logvar, -30, 20)).
        let halves = moments.reshaped([batch, 2, latent * plane])
        let mean = halves.selecting(index: 0, alongDimension: 1).reshaped(shape)
        let logVariance = halves.selecting(index: 1, alongDimension: 1).reshaped(shape).clamped(-30, 20)
        let deviation = (logVariance * 0.5).applying(.exp)
        return DiagonalGaussianPosterior(mean: mean, standardDeviation: deviation)
    }
}
