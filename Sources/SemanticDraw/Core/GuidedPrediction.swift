import Schedulers
import TensorRuntime

/// One batched denoiser call over region copies, with classifier-free guidance when the batch
/// has unconditional rows (docs/REFERENCE_PIPELINE.md R3): the input is the scheduler-scaled
/// copies (twice, when guided) against [u_0..u_{N-1}, c_0..c_{N-1}], and the prediction is
/// u + g (c - u) (``RegionStepMath/guided(_:scale:)``).
enum GuidedPrediction {
    /// The model output [N, C, h, w] for `samples` [N, C, h, w] at `slots` (one per sample)
    /// under `batch` (``RegionConditioning/modelBatch``: N rows, or 2N when guided).
    static func predict(denoiser: any Denoiser, scheduler: any DiffusionScheduler, samples: Tensor, slots: [Int],
                        batch: (conditioning: TextConditioning, guidance: Float?), maximumBatch: Int? = nil) throws -> Tensor {
        let input = try scheduler.scaleModelInput(samples, slots: slots)
        let timesteps = slots.map { scheduler.timesteps[$0] }
        guard let guidance = batch.guidance else {
            return try denoiser.predict(latents: input, timesteps: timesteps, conditioning: batch.conditioning, maximumBatch: maximumBatch)
        }
        let prediction = try denoiser.predict(latents: Tensor.concatenateOuter([input, input]), timesteps: timesteps + timesteps,
                                              conditioning: batch.conditioning, maximumBatch: maximumBatch)
        return RegionStepMath.guided(prediction, scale: guidance)
    }
}
