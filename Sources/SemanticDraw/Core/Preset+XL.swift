/// The SDXL rows of the presets table (docs/PRESETS.md).
extension Preset {
    /// SDXL: tile and one-shot canvas 1024 (the model's native size), the live stream at 512 x
    /// 512 (the authors' SDXL stream default), latents scaled by 0.13025, TAESDXL for the stream.
    /// Lightning is the authors' SDXL set-up (`pipeline_semantic_draw_sdxl.py`): Euler with
    /// "trailing" spacing on the slots [0, 4, 12, 25, 37] of the 50-step grid with the 4-step
    /// LoRA, no guidance (rescale 0.7 when guidance is turned on), brush blur 1 one-shot and 8
    /// live, and its random-number contract (``RandomNumberContract/initialNoise``); without
    /// `--model`, SDXL base with the distilled 4-step UNet instead of the LoRA, as theirs.
    /// Flash (SD3's) has no SDXL row: nil.
    static func stableDiffusionXL(_ accelerator: Accelerator) -> Preset? {
        let family = ModelFamily.stableDiffusionXL
        var preset: Preset
        switch accelerator {
        case .lightning:
            let files = [2: "sdxl_lightning_2step_lora.safetensors", 4: "sdxl_lightning_4step_lora.safetensors",
                         8: "sdxl_lightning_8step_lora.safetensors"]
            preset = Preset(family: family, accelerator: accelerator, defaultSchedule: .defaultSlots, defaultStreamSchedule: .defaultSlots,
                            guidance: 0, oneShotMaskBlur: 1, streamMaskBlur: 8, tilePixels: 1024, latentChannels: 4,
                            scalingFactor: 0.13025, shiftFactor: 0, tinyAutoencoder: "madebyollin/taesdxl",
                            lora: AcceleratorLoRA(repository: "ByteDance/SDXL-Lightning", files: files, anyStepFile: nil,
                                                  slotScheduleFile: files[4]),
                            eta: nil)
            preset.randomNumbers = .initialNoise
            let unets = [2: "sdxl_lightning_2step_unet.safetensors", 4: "sdxl_lightning_4step_unet.safetensors",
                         8: "sdxl_lightning_8step_unet.safetensors"]
            preset.acceleratedUNet = AcceleratorLoRA(repository: "ByteDance/SDXL-Lightning", files: unets, anyStepFile: nil,
                                                     slotScheduleFile: unets[4])
        case .lcm:
            preset = Preset(family: family, accelerator: accelerator, defaultSchedule: .defaultSlots, defaultStreamSchedule: .defaultSlots,
                            guidance: 1, oneShotMaskBlur: 1, streamMaskBlur: 8, tilePixels: 1024, latentChannels: 4,
                            scalingFactor: 0.13025, shiftFactor: 0, tinyAutoencoder: "madebyollin/taesdxl",
                            lora: AcceleratorLoRA(repository: "latent-consistency/lcm-lora-sdxl", files: [:],
                                                  anyStepFile: "pytorch_lora_weights.safetensors"),
                            eta: nil)
        case .hyperSD:
            let files = [1: "Hyper-SDXL-1step-lora.safetensors", 2: "Hyper-SDXL-2steps-lora.safetensors",
                         4: "Hyper-SDXL-4steps-lora.safetensors", 8: "Hyper-SDXL-8steps-lora.safetensors"]
            preset = Preset(family: family, accelerator: accelerator, defaultSchedule: .steps(4), defaultStreamSchedule: .steps(4),
                            guidance: 0, oneShotMaskBlur: 1, streamMaskBlur: 8, tilePixels: 1024, latentChannels: 4,
                            scalingFactor: 0.13025, shiftFactor: 0, tinyAutoencoder: "madebyollin/taesdxl",
                            lora: AcceleratorLoRA(repository: "ByteDance/Hyper-SD", files: files, anyStepFile: nil), eta: 1)
        case .flash:
            return nil
        case .none:
            preset = Preset(family: family, accelerator: accelerator, defaultSchedule: .steps(50), defaultStreamSchedule: .steps(50),
                            guidance: 5, oneShotMaskBlur: 1, streamMaskBlur: 8, tilePixels: 1024, latentChannels: 4,
                            scalingFactor: 0.13025, shiftFactor: 0, tinyAutoencoder: "madebyollin/taesdxl", lora: nil, eta: nil)
        }
        preset.guidanceRescale = 0.7
        preset.oneShotCanvas = 1024
        preset.whiteCachePixels = 1024
        return preset
    }
}
