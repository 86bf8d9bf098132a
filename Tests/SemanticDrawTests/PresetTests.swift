import DiffusionModels
import Foundation
import Schedulers
import SemanticDraw
import Testing

/// The presets table (Sources/SemanticDraw/Core/Preset.swift, docs/PRESETS.md) and how palettes
/// (version 2: `accelerator`, `accelerator_lora`, `schedule.eta`) map onto it.
@Suite struct PresetTests {
    @Test func hyperSDPicksTheModelCardSchedulers() throws {
        let preset = try Preset.preset(accelerator: .hyperSD)
        #expect(preset.scheduler(for: .steps(1)) == SchedulerChoice(kind: .tcd, eta: 1))
        #expect(preset.scheduler(for: .steps(1), eta: 0.3) == SchedulerChoice(kind: .tcd, eta: 0.3))
        for steps in [2, 4, 8] {
            #expect(preset.scheduler(for: .steps(steps)) == SchedulerChoice(kind: .ddim, timestepSpacing: .trailing, eta: 0))
            #expect(try preset.loraReference(for: .steps(steps)) == "ByteDance/Hyper-SD/Hyper-SD15-\(steps)steps-lora.safetensors")
        }
        #expect(try preset.loraReference(for: .steps(1)) == "ByteDance/Hyper-SD/Hyper-SD15-1step-lora.safetensors")
        #expect(throws: PresetError.unsupportedStepCount(accelerator: .hyperSD, steps: 3, supported: [1, 2, 4, 8])) {
            try preset.loraReference(for: .steps(3))
        }
        #expect(preset.guidance == 0 && preset.defaultSchedule == .steps(4))
    }

    @Test func lcmAndNone() throws {
        let lcm = try Preset.preset(accelerator: .lcm)
        #expect(lcm.scheduler(for: .defaultSlots) == .lcm && lcm.defaultSchedule == .defaultSlots && lcm.guidance == 1)
        #expect(try lcm.loraReference(for: .steps(7)) == "latent-consistency/lcm-lora-sdv1-5/pytorch_lora_weights.safetensors")
        let none = try Preset.preset(accelerator: .none)
        #expect(try none.loraReference(for: .steps(50)) == nil)
        #expect(none.scheduler(for: .steps(50)).kind == nil, "the model's own class")
        #expect(try Accelerator(parsing: "Hyper_SD") == .hyperSD)
        #expect(throws: PresetError.self) { try Accelerator(parsing: "turbo") }
    }

    /// `none` runs the class the model's scheduler_config names, or says it is not implemented.
    @Test func noneUsesTheModelsScheduler() throws {
        var configuration = SchedulerConfiguration.defaults(for: .ddim)
        configuration.className = "DDIMScheduler"
        let scheduler = try SchedulerChoice(kind: nil).makeScheduler(modelConfiguration: configuration, schedule: .steps(10))
        #expect(scheduler.kind == .ddim && scheduler.slotCount == 10)
        configuration.className = "PNDMScheduler"
        #expect(throws: PresetError.unsupportedModelScheduler(className: "PNDMScheduler")) {
            try SchedulerChoice(kind: nil).makeScheduler(modelConfiguration: configuration, schedule: .steps(10))
        }
    }

    /// "trailing" overrides the model's spacing (DDIMScheduler.from_config(config, timestep_spacing="trailing")).
    @Test func trailingOverride() throws {
        var configuration = SchedulerConfiguration.defaults(for: .ddim)
        configuration.className = "PNDMScheduler"
        let choice = SchedulerChoice(kind: .ddim, timestepSpacing: .trailing, eta: 0)
        let scheduler = try choice.makeScheduler(modelConfiguration: configuration, schedule: .steps(4))
        #expect(scheduler.timesteps == [999, 749, 499, 249])
    }

    @Test func paletteVersion2RoundTripsTheAccelerator() throws {
        var palette = Palette(width: 64, height: 48, model: "some/model", brushes: [
            Palette.Brush(name: "a", color: "#000000", prompt: "a cat", negativePrompt: nil, mask: .file("masks/ground.png"),
                          maskAlpha: 1, maskBlur: 1, promptStrength: 1)])
        palette.accelerator = .hyperSD
        palette.schedule = Palette.Schedule(scheduler: .lcm, steps: 1, eta: 0.5)
        let again = try Palette.decode(data: palette.encode(), baseFolder: nil)
        #expect(again == palette)
        let text = String(decoding: try palette.encode(), as: UTF8.self)
        #expect(text.contains("\"accelerator\" : \"hyper-sd\"") && text.contains("\"eta\" : 0.5") && text.contains("\"version\" : 3"))
        // The preset's LoRA for one step is fused first; "none" and an explicit file replace it.
        #expect(try palette.modelLoRAReferences().map(\.path) == ["ByteDance/Hyper-SD/Hyper-SD15-1step-lora.safetensors"])
        palette.acceleratorLoRA = "none"
        #expect(try palette.modelLoRAReferences().isEmpty)
        palette.acceleratorLoRA = "/tmp/merged.safetensors"
        palette.loras = [Palette.LoRA(path: "/tmp/style.safetensors", scale: 0.5)]
        #expect(try palette.modelLoRAReferences().map(\.path) == ["/tmp/merged.safetensors", "/tmp/style.safetensors"])
        // tiny-random fuses no preset LoRA.
        palette.model = TinyRandomModel.name
        palette.acceleratorLoRA = nil
        #expect(try palette.modelLoRAReferences().map(\.path) == ["/tmp/style.safetensors"])
    }

    @Test func unknownAcceleratorInAPaletteIsNamed() throws {
        let json = """
        {"version": 2, "width": 16, "height": 8, "model": "tiny-random", "accelerator": "turbo",
         "brushes": [{"name": "a", "color": "#000000", "prompt": "a cat", "mask": {"file": "masks/ground.png"}}]}
        """
        #expect { try Palette.decode(data: Data(json.utf8), baseFolder: nil) } throws: { "\($0)".contains("accelerator") && "\($0)".contains("turbo") }
    }
}
