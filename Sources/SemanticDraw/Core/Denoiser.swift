import DiffusionModels
import TensorRuntime

/// The network a SemanticDraw loop denoises with: a prediction from latents, per-sample
/// timesteps and text conditioning. The SD UNet implements it; an MMDiT transformer will. The
/// loops, the stream and guidance depend on this protocol only (docs/ARCHITECTURE.md).
public protocol Denoiser: Sendable {
    /// Latent channels the network reads and predicts (4 for SD1.x/SDXL, 16 for SD3).
    var latentChannels: Int { get }

    /// What the latent's height and width must be multiples of (1 for the UNets; SD3's
    /// transformer: its patch size, 2), so images must be multiples of 8 times this.
    var latentSizeMultiple: Int { get }

    /// The network output for `latents` [B, C, h, w] (already scaled by the scheduler's
    /// `scaleModelInput`) at `timesteps` (one per sample, as the network receives them) under
    /// `conditioning` (B rows). `maximumBatch` bounds how many samples one evaluation takes
    /// (nil: all at once). Honours task cancellation.
    func predict(latents: Tensor, timesteps: [Float], conditioning: TextConditioning, maximumBatch: Int?) throws -> Tensor

    /// `conditioning` completed with what the network reads about where the denoised view
    /// sits (SDXL's `time_ids`); the default returns it unchanged.
    func conditioning(_ conditioning: TextConditioning, placedAt placement: CanvasPlacement) -> TextConditioning
}

extension Denoiser {
    public var latentSizeMultiple: Int { 1 }

    public func conditioning(_ conditioning: TextConditioning, placedAt placement: CanvasPlacement) -> TextConditioning {
        conditioning
    }
}

extension UNet2DConditionModel: Denoiser {
    public var latentChannels: Int { configuration.inChannels }

    /// The SD1.x/SD2.x UNet reads the token context (`encoder_hidden_states`); SDXL's also the
    /// pooled embedding (`text_embeds`) and `time_ids` (``TextConditioning/extras``).
    public func predict(latents: Tensor, timesteps: [Float], conditioning: TextConditioning, maximumBatch: Int?) throws -> Tensor {
        guard requiresTextTimeInputs else {
            return try self(sample: latents, timesteps: timesteps, encoderHiddenStates: conditioning.context, maximumBatch: maximumBatch)
        }
        return try self(sample: latents, timesteps: timesteps, encoderHiddenStates: conditioning.context,
                        textEmbeds: conditioning.pooled, timeIDs: conditioning.extras[TextConditioning.timeIDsKey],
                        maximumBatch: maximumBatch)
    }

    /// SDXL: every row's `time_ids` become the placement's (``CanvasPlacement/timeIDs``).
    public func conditioning(_ conditioning: TextConditioning, placedAt placement: CanvasPlacement) -> TextConditioning {
        guard requiresTextTimeInputs else { return conditioning }
        let rows = conditioning.count
        let ids = Tensor(shape: [rows, 6], values: Array((0..<rows).map { _ in placement.timeIDs }.joined()))
        var extras = conditioning.extras
        extras[TextConditioning.timeIDsKey] = ids
        return TextConditioning(context: conditioning.context, pooled: conditioning.pooled, extras: extras)
    }
}
