import TensorRuntime

/// The latent conversions diffusers' pipelines apply around an `AutoencoderKL` (the module itself
/// applies neither): the denoiser works on (z - shift_factor) * scaling_factor, and the decoder
/// gets latents / scaling_factor + shift_factor (`StableDiffusion3Pipeline`). Without a shift
/// (SD1.x, SD2.x, SDXL) they are z * scaling_factor and latents * (1 / scaling_factor), the
/// arithmetic the SemanticDraw pipelines have always used.
extension AutoencoderKLConfiguration {
    /// The latents a denoiser works on, from the encoder's raw latents `latents` (posterior mean
    /// or sample): (z - shift) * scaling.
    public func pipelineLatents(_ latents: Tensor) -> Tensor {
        guard shiftFactor != 0 else { return latents * scalingFactor }
        return latents.affine(scale: 1, shift: -shiftFactor) * scalingFactor
    }

    /// The decoder's input for a denoiser's latents `latents`: latents / scaling + shift.
    public func decoderLatents(_ latents: Tensor) -> Tensor {
        guard shiftFactor != 0 else { return latents * (1 / scalingFactor) }
        return (latents / scalingFactor).affine(scale: 1, shift: shiftFactor)
    }
}
