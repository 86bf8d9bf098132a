import DiffusionModels
import Foundation
import Schedulers
import SemanticDraw
import TensorRuntime
import Testing

/// The SD3 rows of the presets table (Preset+SD3.swift, docs/PRESETS.md), SD3 family detection,
/// and the values the authors' SD3 pipeline (`SemanticDraw3Pipeline`, sontyubo/semantic-draw at
/// 98dab24) and diffusers' `StableDiffusion3Pipeline` (0.42.1) defaults give them.
@Suite struct PresetSD3Tests {
    @Test func flashIsTheAuthorsSD3SetUp() throws {
        let preset = try Preset.preset(.stableDiffusion3, accelerator: .flash)
        #expect(preset.scheduler(for: .defaultSlots) == SchedulerChoice(kind: .flashFlowMatchEuler))
        #expect(preset.defaultSchedule == .slots([0, 4, 12, 25, 37]) && preset.defaultStreamSchedule == .defaultSlots)
        #expect(preset.guidance == 0 && preset.guidanceRescale == 0.7)
        #expect(preset.oneShotMaskBlur == 1 && preset.streamMaskBlur == 8)
        #expect(preset.tilePixels == 1024 && preset.oneShotCanvas == 1024 && preset.streamCanvas == 512)
        #expect(preset.latentChannels == 16 && preset.scalingFactor == 1.5305 && preset.shiftFactor == 0.0609)
        #expect(preset.tinyAutoencoder == "madebyollin/taesd3" && preset.whiteCachePixels == 1024)
        #expect(preset.randomNumbers == .initialNoiseWithSlotDraws)
        // The Flash LoRA is one PEFT adapter for every schedule.
        #expect(try preset.loraReference(for: .defaultSlots) == "jasperai/flash-sd3/adapter_model.safetensors")
        #expect(try preset.loraReference(for: .steps(4)) == "jasperai/flash-sd3/adapter_model.safetensors")
        #expect(preset.acceleratedUNet == nil)
    }

    /// `none`: the model's own FlowMatchEulerDiscreteScheduler with StableDiffusion3Pipeline's
    /// defaults (28 steps, guidance 7), no LoRA, fresh draws per slot.
    @Test func noneIsDiffusersDefault() throws {
        let preset = try Preset.preset(.stableDiffusion3, accelerator: .none)
        #expect(preset.defaultSchedule == .steps(28) && preset.guidance == 7 && preset.guidanceRescale == 0)
        #expect(preset.lora == nil && preset.randomNumbers == .perSlot && preset.latentChannels == 16)
        let configuration = try SchedulerConfiguration(data: TinyRandomSD3Model.schedulerConfigurationJSON, file: "(test)")
        let scheduler = try preset.scheduler(for: preset.defaultSchedule).makeScheduler(modelConfiguration: configuration,
                                                                                          schedule: preset.defaultSchedule)
        #expect(scheduler.kind == .flowMatchEuler && scheduler.slotCount == 28 && scheduler.timesteps.first == 1000)
        let message = PresetError.unsupportedModelScheduler(className: "PNDMScheduler").description
        #expect(message.contains("FlowMatchEulerDiscreteScheduler"), "\(message)")
    }

    @Test func flashIsSD3sOnlyAndSD3HasNoUNetAccelerators() {
        for accelerator in [Accelerator.lcm, .hyperSD, .lightning] {
            #expect(throws: PresetError.unsupportedCombination(family: .stableDiffusion3, accelerator: accelerator)) {
                try Preset.preset(.stableDiffusion3, accelerator: accelerator)
            }
        }
        for family in [ModelFamily.stableDiffusion1, .stableDiffusionXL] {
            #expect(throws: PresetError.unsupportedCombination(family: family, accelerator: .flash)) {
                try Preset.preset(family, accelerator: .flash)
            }
        }
        let message = PresetError.unsupportedCombination(family: .stableDiffusion3, accelerator: .lcm).description
        #expect(message.contains("flash, none"), "\(message)")
    }

    @Test func defaultsAndParsing() throws {
        #expect(Preset.defaultFamily(for: .flash) == .stableDiffusion3)
        #expect(Preset.defaultAccelerator(for: .stableDiffusion3) == .flash)
        #expect(ModelRequest.defaultModelName(for: .stableDiffusion3) == "stabilityai/stable-diffusion-3-medium-diffusers")
        #expect(try Accelerator(parsing: "Flash") == .flash && (try Accelerator(parsing: "flash_sd3")) == .flash)
        #expect(try ModelFamily(parsing: "SD3") == .stableDiffusion3 && (try ModelFamily(parsing: "sd3.5")) == .stableDiffusion3)
        #expect(ModelFamily.stableDiffusion3.rawValue == "sd3" && Accelerator.flash.rawValue == "flash")
    }

    @Test func sd3IsDetectedFromTheModelName() throws {
        #expect(ModelFamily.detect(model: "tiny-random-sd3") == .stableDiffusion3)
        #expect(ModelFamily.detect(model: "stabilityai/stable-diffusion-3-medium-diffusers") == .stableDiffusion3)
        #expect(ModelFamily.detect(model: "stabilityai/stable-diffusion-3.5-large") == .stableDiffusion3)
        #expect(ModelFamily.detect(model: "someone/my-sd3-finetune") == .stableDiffusion3)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("family-sd3-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(#"{"_class_name": "StableDiffusion3Pipeline"}"#.utf8).write(to: folder.appendingPathComponent("model_index.json"))
        #expect(ModelFamily.detect(model: folder.path) == .stableDiffusion3)
        // Without model_index.json, a transformer/ folder says SD3.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model_index.json"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("transformer"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("text_encoder_2"), withIntermediateDirectories: true)
        #expect(ModelFamily.detect(model: folder.path) == .stableDiffusion3)
    }

    /// Palettes record the family and accelerator; the preset's LoRA is not fused into the
    /// built-in model, and `--accelerator-lora FOLDER` (a PEFT adapter folder) is.
    @Test func palettesRecordFamilyAndAccelerator() throws {
        var palette = Palette(width: 64, height: 48, model: "tiny-random-sd3", brushes: [])
        palette.family = .stableDiffusion3
        palette.accelerator = .flash
        #expect(try palette.modelLoRAReferences().isEmpty)
        palette.acceleratorLoRA = "/adapters/flash"
        #expect(try palette.modelLoRAReferences().map(\.path) == ["/adapters/flash"])
        let decoded = try JSONDecoder().decode(Palette.self, from: JSONEncoder().encode(palette))
        #expect(decoded.family == .stableDiffusion3 && decoded.accelerator == .flash && decoded.acceleratorLoRA == "/adapters/flash")
        palette.model = "stabilityai/stable-diffusion-3-medium-diffusers"
        palette.family = nil
        palette.acceleratorLoRA = nil
        #expect(palette.resolvedFamily == .stableDiffusion3)
        #expect(try palette.modelRequest().loras.map(\.path) == ["jasperai/flash-sd3/adapter_model.safetensors"])
    }
}
