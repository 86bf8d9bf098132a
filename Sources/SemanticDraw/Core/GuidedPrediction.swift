import Schedulers
import TensorRuntime

/// One batched denoiser call over region copies, with classifier-free guidance when the batch
/// has unconditional rows (docs/REFERENCE_PIPELINE.md R3): the input is the scheduler-scaled
/// copies (twice, when guided) against [u_0..u_{N-1}, c_0..c_{N-1}], and the prediction is
/// u + g (c - u), rescaled when the batch asks for it (``RegionStepMath/guided(_:scale:rescale:)``).
enum GuidedPrediction {
    /// The model output [N, C, h, w] for `samples` [N, C, h, w] at `slots` (one per sample)
    /// under `batch` (``RegionConditioning/modelBatch``: N rows, or 2N when guided), for a view
    /// at `placement` on the canvas (``Denoiser/conditioning(_:placedAt:)``).
    static func predict(denoiser: any Denoiser, scheduler: any DiffusionScheduler, samples: Tensor, slots: [Int],
                        batch: ModelBatch, placement: CanvasPlacement, maximumBatch: Int? = nil) throws -> Tensor {
        let input = try scheduler.scaleModelInput(samples, slots: slots)
        let timesteps = slots.map { scheduler.timesteps[$0] }
        let conditioning = denoiser.conditioning(batch.conditioning, placedAt: placement)
        guard let guidance = batch.guidance else {
            return try denoiser.predict(latents: input, timesteps: timesteps, conditioning: conditioning, maximumBatch: maximumBatch)
        }
        let prediction = try denoiser.predict(latents: Tensor.concatenateOuter([input, input]), timesteps: timesteps + timesteps,
                                              conditioning: conditioning, maximumBatch: maximumBatch)
        return RegionStepMath.guided(prediction, scale: guidance, rescale: batch.guidanceRescale)
    }
}
