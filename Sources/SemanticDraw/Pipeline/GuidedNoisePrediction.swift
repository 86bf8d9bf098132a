import DiffusionModels
import Schedulers
import TensorRuntime

/// One batched UNet call over every region's copy of a view, with classifier-free guidance
/// when a scale is given (docs/REFERENCE_PIPELINE.md R3): the batch is [x_0..x_{R-1}, x_0..x_{R-1}]
/// against [u_0..u_{R-1}, e_0..e_{R-1}], and eps = eps_u + g (eps_c - eps_u).
enum GuidedNoisePrediction {
    /// The model output [R, C, vh, vw] for `copies` [R, C, vh, vw] at `slot`; `context` holds
    /// 2R rows (unconditional first) when `guidance` is set, else R rows.
    static func predict(unet: UNet2DConditionModel, scheduler: any DiffusionScheduler, copies: Tensor, slot: Int,
                        context: Tensor, guidance: Float?) throws -> Tensor {
        let regions = copies.shape[0]
        let timesteps = [Float](repeating: scheduler.timesteps[slot], count: guidance == nil ? regions : 2 * regions)
        let modelInput = try scheduler.scaleModelInput(copies, slots: [Int](repeating: slot, count: regions))
        let batchInput = guidance == nil ? modelInput : Tensor.concatenateOuter([modelInput, modelInput])
        let prediction = try unet(sample: batchInput, timesteps: timesteps, encoderHiddenStates: context)
        guard let guidance else { return prediction }
        let unconditional = prediction.slice(outer: 0, length: regions)
        let conditional = prediction.slice(outer: regions, length: regions)
        return unconditional + (conditional - unconditional) * guidance
    }

    /// The context rows for `conditioning`, and the guidance scale to apply (nil when <= 1).
    static func context(_ conditioning: RegionDenoisingLoop.Conditioning) -> (context: Tensor, guidance: Float?) {
        guard conditioning.guidance > 1, let unconditional = conditioning.unconditional else {
            return (conditioning.conditional, nil)
        }
        return (Tensor.concatenateOuter([unconditional, conditioning.conditional]), conditioning.guidance)
    }
}
