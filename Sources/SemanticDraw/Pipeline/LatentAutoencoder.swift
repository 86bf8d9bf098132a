import DiffusionModels
import TensorRuntime

/// The autoencoder between pixels and latents: the full KL VAE, or the tiny one (TAESD), which
/// decodes about 25x faster with slightly softer detail (the live stream's decoder, `--tiny-vae`).
/// Both map images in 0...1 to latents as the denoiser sees them (the KL VAE's latents shifted
/// and scaled, (z - shift_factor) * scaling_factor: scaling 0.18215 for SD1.5's VAE, shift
/// 0.0609 and scaling 1.5305 for SD3's; TAESD's as they are) and back.
public enum LatentAutoencoder: Sendable {
    case kl(AutoencoderKL)
    case tiny(AutoencoderTiny)

    /// The spatial downsampling factor (8 for Stable Diffusion).
    public var scaleFactor: Int {
        switch self {
        case .kl(let model):
            return 1 << (model.configuration.blockOutChannels.count - 1)
        case .tiny(let model):
            var factor = 1
            for _ in 1..<max(model.configuration.decoderBlockCounts.count, 1) { factor *= model.configuration.upsamplingScalingFactor }
            return factor
        }
    }

    /// Latent channels (4 for Stable Diffusion).
    public var latentChannels: Int {
        switch self {
        case .kl(let model): return model.configuration.latentChannels
        case .tiny(let model): return model.configuration.latentChannels
        }
    }

    /// A short name for logs: "vae" or "taesd".
    public var name: String {
        switch self {
        case .kl: return "vae"
        case .tiny: return "taesd"
        }
    }

    /// The latent of `images` [B, 3, H, W] in 0...1: [B, C, H/f, W/f], scaled. The KL VAE
    /// gives its posterior mean (docs/ALGORITHM.md §4's random-number contract).
    public func encode(images: Tensor) throws -> Tensor {
        let signed = images.affine(scale: 2, shift: -1)
        switch self {
        case .kl(let model):
            return model.configuration.pipelineLatents(try model.encode(signed))
        case .tiny(let model):
            return try model.encode(signed)
        }
    }

    /// The latent of one image [3, H, W] in 0...1: [1, C, H/f, W/f].
    public func encode(image: Tensor) throws -> Tensor {
        try encode(images: image.reshaped([1] + image.shape))
    }

    /// Images [B, 3, H, W] in 0...1 of scaled latents [B, C, h, w]:
    /// clamp(decode(latent / scaling + shift) / 2 + 0.5, 0, 1).
    public func decode(latents: Tensor) throws -> Tensor {
        let sample: Tensor
        switch self {
        case .kl(let model):
            sample = try model.decode(model.configuration.decoderLatents(latents))
        case .tiny(let model):
            sample = try model.decode(latents)
        }
        return sample.affine(scale: 0.5, shift: 0.5).clamped(0, 1)
    }

    /// The image [3, H, W] in 0...1 of one scaled latent [1, C, h, w].
    public func decode(latent: Tensor) throws -> Tensor {
        let image = try decode(latents: latent)
        return image.reshaped(Array(image.shape.dropFirst()))
    }
}
