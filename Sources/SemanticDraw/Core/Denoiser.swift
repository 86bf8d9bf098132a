import DiffusionModels
import TensorRuntime

/// The network a SemanticDraw loop denoises with: a prediction from latents, per-sample
/// timesteps and text conditioning. The SD UNet implements it; an MMDiT transformer will. The
/// loops, the stream and guidance depend on this protocol only (docs/ARCHITECTURE.md).
public protocol Denoiser: Sendable {
    /// Latent channels the network reads and predicts (4 for SD1.x/SDXL, 16 for SD3).
    var latentChannels: Int { get }

    /// The network output for `latents` [B, C, h, w] (already scaled by the scheduler's
    /// `scaleModelInput`) at `timesteps` (one per sample, as the network receives them) under
    /// `conditioning` (B rows). `maximumBatch` bounds how many samples one evaluation takes
    /// (nil: all at once). Honours task cancellation.
    func predict(latents: Tensor, timesteps: [Float], conditioning: TextConditioning, maximumBatch: Int?) throws -> Tensor
}

extension UNet2DConditionModel: Denoiser {
    public var latentChannels: Int { configuration.inChannels }

    /// The SD1.x/SD2.x UNet reads the token context only (`encoder_hidden_states`).
    public func predict(latents: Tensor, timesteps: [Float], conditioning: TextConditioning, maximumBatch: Int?) throws -> Tensor {
        try self(sample: latents, timesteps: timesteps, encoderHiddenStates: conditioning.context, maximumBatch: maximumBatch)
    }
}
