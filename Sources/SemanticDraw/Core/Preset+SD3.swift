/// The SD3 rows of the presets table (docs/PRESETS.md).
extension Preset {
    /// The Flash SD3 LoRA: a PEFT adapter (`adapter_config.json` + `adapter_model.safetensors`)
    /// over SD3 Medium's transformer, for any step count (the model card runs 4 steps; the
    /// authors run it on 5 slots of the 50-step schedule).
    public static let flashSD3LoRA = AcceleratorLoRA(repository: "jasperai/flash-sd3", files: [:],
                                                     anyStepFile: "adapter_model.safetensors")

    /// SD3: tile and one-shot canvas 1024 (the model's native size), 16-channel latents shifted by
    /// 0.0609 and scaled by 1.5305, TAESD3 (`madebyollin/taesd3`) for the stream, brush blur 1
    /// one-shot and 8 live, the white latent cached at 1024 px.
    ///
    /// Flash is the authors' SD3 set-up (`pipeline_semantic_draw_3.py`, `SemanticDraw3Pipeline`):
    /// the Flash fork's `FlashFlowMatchEulerDiscreteScheduler` (SD3's scheduler config, shift 3)
    /// on the slots [0, 4, 12, 25, 37] of its 50-step schedule, the Flash LoRA fused into the
    /// transformer, no guidance (rescale 0.7 when guidance is turned on, their default), and
    /// their random-number contract (``RandomNumberContract/initialNoiseWithSlotDraws``).
    ///
    /// None is diffusers' `StableDiffusion3Pipeline` default: the model's own
    /// `FlowMatchEulerDiscreteScheduler`, 28 steps, guidance 7 (no rescale).
    ///
    /// The live stream runs 512 x 512, the authors' SD3 stream default (`SemanticDraw3`
    /// width/height 512): a frame is T x P transformer passes, and at 1024 x 1024 each pass has
    /// 4096 image tokens (plus 333 text tokens) instead of 1024, about four times the work.
    /// LCM, Hyper-SD and Lightning have no SD3 rows (their LoRAs adapt UNets): nil.
    static func stableDiffusion3(_ accelerator: Accelerator) -> Preset? {
        let family = ModelFamily.stableDiffusion3
        var preset: Preset
        switch accelerator {
        case .flash:
            preset = Preset(family: family, accelerator: accelerator, defaultSchedule: .defaultSlots, defaultStreamSchedule: .defaultSlots,
                            guidance: 0, oneShotMaskBlur: 1, streamMaskBlur: 8, tilePixels: 1024, latentChannels: 16,
                            scalingFactor: 1.5305, shiftFactor: 0.0609, tinyAutoencoder: "madebyollin/taesd3",
                            lora: flashSD3LoRA, eta: nil)
            preset.guidanceRescale = 0.7
            preset.randomNumbers = .initialNoiseWithSlotDraws
        case .none:
            preset = Preset(family: family, accelerator: accelerator, defaultSchedule: .steps(28), defaultStreamSchedule: .steps(28),
                            guidance: 7, oneShotMaskBlur: 1, streamMaskBlur: 8, tilePixels: 1024, latentChannels: 16,
                            scalingFactor: 1.5305, shiftFactor: 0.0609, tinyAutoencoder: "madebyollin/taesd3", lora: nil, eta: nil)
        case .lcm, .hyperSD, .lightning:
            return nil
        }
        preset.oneShotCanvas = 1024
        preset.streamCanvas = 512
        preset.whiteCachePixels = 1024
        return preset
    }
}
