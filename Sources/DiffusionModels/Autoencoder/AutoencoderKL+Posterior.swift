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
        let result = Tensor(uninitializedShape: mean.shape)
        for index in 0..<mean.count {
            result.pointer[index] = mean.pointer[index] + standardDeviation.pointer[index] * noise.pointer[index]
        }
        return result
    }
}

extension AutoencoderKL {
    /// The posterior of images [B, in, H, W] in [-1, 1] (unscaled latents).
    public func posterior(_ images: Tensor) throws -> DiagonalGaussianPosterior {
        let moments = try moments(images)
        let batch = moments.shape[0], latent = configuration.latentChannels
        let plane = moments.shape[2] * moments.shape[3]
        let shape = [batch, latent, moments.shape[2], moments.shape[3]]
        let mean = Tensor(uninitializedShape: shape), deviation = Tensor(uninitializedShape: shape)
        for image in 0..<batch {
            let source = moments.pointer + image * 2 * latent * plane
            (mean.pointer + image * latent * plane).update(from: source, count: latent * plane)
            for index in 0..<(latent * plane) {
                let logVariance = min(max(source[latent * plane + index], -30), 20)
                deviation.pointer[image * latent * plane + index] = expf(0.5 * logVariance)
            }
        }
        return DiagonalGaussianPosterior(mean: mean, standardDeviation: deviation)
    }
}
