import DiffusionModels
import TensorRuntime

/// SD3's MMDiT as a SemanticDraw denoiser: it reads the token context (`encoder_hidden_states`,
/// [B, 333, joint_attention_dim] without T5) and the pooled embedding (`pooled_projections`),
/// and predicts the flow-matching velocity. Its timestep is the flow-matching one as the
/// schedulers give it (`FlowMatchSigmas`: sigma x 1000, e.g. 1000 at sigma 1),
/// which is what diffusers' `StableDiffusion3Pipeline` and the authors' SD3 pipeline pass.
/// Nothing depends on where a view sits on the canvas (the position embedding is cropped from
/// the centre of its grid for any latent), so ``Denoiser/conditioning(_:placedAt:)`` keeps the
/// default.
extension SD3Transformer2DModel: Denoiser {
    public var latentChannels: Int { configuration.inChannels }

    /// The patch size (2): latents are cut into p x p patches, so images are multiples of 16.
    public var latentSizeMultiple: Int { configuration.patchSize }

    /// The velocity [B, C, h, w]; `maximumBatch` chunks the batch like the UNet's chunked call.
    /// - Throws: ``RegionGenerationError/invalidInput(name:reason:)`` when the conditioning has no
    ///   pooled embedding (not SD3's), the transformer's input errors, `CancellationError`.
    public func predict(latents: Tensor, timesteps: [Float], conditioning: TextConditioning, maximumBatch: Int?) throws -> Tensor {
        guard let pooled = conditioning.pooled else {
            throw RegionGenerationError.invalidInput(name: "pooled_projections",
                reason: "SD3's transformer reads a pooled text embedding, and the conditioning has none (is the prompt encoder SD3's?)")
        }
        return try self(hiddenStates: latents, encoderHiddenStates: conditioning.context, pooledProjections: pooled,
                        timesteps: timesteps, maximumBatch: maximumBatch)
    }
}
