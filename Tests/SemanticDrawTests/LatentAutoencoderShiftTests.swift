import DiffusionModels
import Foundation
import SemanticDraw
import TensorRuntime
import Testing

/// ``LatentAutoencoder`` applies the KL VAE's `shift_factor` where it applies `scaling_factor`:
/// SD3's VAE (`Tests/Fixtures/sd3/vae-sd3`, Tools/make_sd3_fixtures.py) against diffusers
/// 0.42.1's `StableDiffusion3Pipeline` conversions, decode(latents / 1.5305 + 0.0609) and
/// (mean - 0.0609) * 1.5305, within 1e-4.
@Suite struct LatentAutoencoderShiftTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sd3/vae-sd3").path

    static func largestDifference(_ actual: Tensor, _ expected: Tensor) -> Float {
        precondition(actual.shape == expected.shape, "\(actual.shape) vs \(expected.shape)")
        return zip(actual.scalars, expected.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test func sd3LatentsAreShiftedAndScaled() throws {
        let autoencoder = LatentAutoencoder.kl(try AutoencoderKL(folder: Self.folder))
        #expect(autoencoder.latentChannels == 16 && autoencoder.scaleFactor == 2)
        let inputs = try SafeTensorsFile(path: Self.folder + "/inputs.safetensors")
        let outputs = try SafeTensorsFile(path: Self.folder + "/outputs.safetensors")
        // decode: [0, 1] images of clamp(decoded / 2 + 0.5).
        let images = try autoencoder.decode(latents: try inputs.tensor("latents"))
        let expectedImages = try outputs.tensor("pipeline_decoded").affine(scale: 0.5, shift: 0.5).clamped(0, 1)
        let decodeDifference = Self.largestDifference(images, expectedImages)
        // encode: [0, 1] images in, the posterior mean shifted and scaled out.
        let latents = try autoencoder.encode(images: try inputs.tensor("images").affine(scale: 0.5, shift: 0.5))
        let encodeDifference = Self.largestDifference(latents, try outputs.tensor("pipeline_encoded"))
        print("LatentAutoencoder sd3: decode max-abs \(decodeDifference), encode max-abs \(encodeDifference)")
        #expect(decodeDifference < 1e-4 && encodeDifference < 1e-4)
    }
}
