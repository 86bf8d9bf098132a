import DiffusionModels
import Foundation
import Schedulers
import SemanticDraw
import TensorRuntime
import Testing

/// The SDXL rows of the presets table (Preset+XL.swift, docs/PRESETS.md) and family detection.
@Suite struct PresetXLTests {
    @Test func lightningIsTheAuthorsSDXLSetUp() throws {
        let preset = try Preset.preset(.stableDiffusionXL, accelerator: .lightning)
        #expect(preset.scheduler(for: .defaultSlots) == SchedulerChoice(kind: .euler, timestepSpacing: .trailing))
        #expect(preset.defaultSchedule == .slots([0, 4, 12, 25, 37]) && preset.guidance == 0 && preset.guidanceRescale == 0.7)
        #expect(preset.tilePixels == 1024 && preset.oneShotCanvas == 1024 && preset.streamCanvas == 512)
        #expect(preset.scalingFactor == 0.13025 && preset.tinyAutoencoder == "madebyollin/taesdxl")
        #expect(preset.whiteCachePixels == 1024 && preset.randomNumbers == .initialNoise)
        // The authors fuse the 4-step LoRA for their five slots; step schedules take their own file.
        #expect(try preset.loraReference(for: .defaultSlots) == "ByteDance/SDXL-Lightning/sdxl_lightning_4step_lora.safetensors")
        #expect(try preset.loraReference(for: .steps(8)) == "ByteDance/SDXL-Lightning/sdxl_lightning_8step_lora.safetensors")
        #expect(throws: PresetError.unsupportedStepCount(accelerator: .lightning, steps: 3, supported: [2, 4, 8])) {
            try preset.loraReference(for: .steps(3))
        }
    }

    /// Without `--model`, Lightning runs SDXL base with the distilled UNet (the authors'
    /// `hf_key=None` branch); with a model, or an accelerator LoRA named, the LoRA is fused.
    @Test func defaultSDXLBaseTakesTheDistilledUNet() throws {
        #expect(Preset.defaultFamily(for: .lightning) == .stableDiffusionXL && Preset.defaultFamily(for: nil) == .stableDiffusion1)
        #expect(ModelRequest.defaultModelName(for: .stableDiffusionXL) == "stabilityai/stable-diffusion-xl-base-1.0")
        var palette = Palette(width: 1024, height: 1024, model: ModelRequest.defaultXLModelName, brushes: [])
        palette.accelerator = .lightning
        palette.loras = [Palette.LoRA(path: "/style.safetensors", scale: 0.5)]
        var request = try palette.modelRequest()
        #expect(request.unetWeights == "ByteDance/SDXL-Lightning/sdxl_lightning_4step_unet.safetensors")
        #expect(request.loras == [LoRAReference(path: "/style.safetensors", scale: 0.5)])
        palette.schedule = Palette.Schedule(steps: 8)
        #expect(try palette.modelRequest().unetWeights == "ByteDance/SDXL-Lightning/sdxl_lightning_8step_unet.safetensors")
        palette.acceleratorLoRA = "/lightning-lora.safetensors"
        request = try palette.modelRequest()
        #expect(request.unetWeights == nil && request.loras.first?.path == "/lightning-lora.safetensors")
        palette.acceleratorLoRA = nil
        palette.model = "/models/my-sdxl"
        palette.family = .stableDiffusionXL
        request = try palette.modelRequest()
        #expect(request.unetWeights == nil && request.loras.first?.path == "ByteDance/SDXL-Lightning/sdxl_lightning_8step_lora.safetensors")
    }

    @Test func otherSDXLRows() throws {
        let lcm = try Preset.preset(.stableDiffusionXL, accelerator: .lcm)
        #expect(try lcm.loraReference(for: .defaultSlots) == "latent-consistency/lcm-lora-sdxl/pytorch_lora_weights.safetensors")
        #expect(lcm.randomNumbers == .perSlot && lcm.scheduler(for: .defaultSlots) == .lcm)
        let hyper = try Preset.preset(.stableDiffusionXL, accelerator: .hyperSD)
        #expect(try hyper.loraReference(for: .steps(1)) == "ByteDance/Hyper-SD/Hyper-SDXL-1step-lora.safetensors")
        #expect(try hyper.loraReference(for: .steps(4)) == "ByteDance/Hyper-SD/Hyper-SDXL-4steps-lora.safetensors")
        let none = try Preset.preset(.stableDiffusionXL, accelerator: .none)
        #expect(none.guidance == 5 && none.lora == nil)
        #expect(Preset.defaultAccelerator(for: .stableDiffusionXL) == .lightning)
        #expect(Preset.defaultAccelerator(for: .stableDiffusion1) == .lcm)
    }

    @Test func lightningDoesNotExistForSD1() {
        #expect(throws: PresetError.unsupportedCombination(family: .stableDiffusion1, accelerator: .lightning)) {
            try Preset.preset(.stableDiffusion1, accelerator: .lightning)
        }
        let message = PresetError.unsupportedCombination(family: .stableDiffusion1, accelerator: .lightning).description
        #expect(message.contains("lightning") && message.contains("lcm, hyper-sd, none"), "\(message)")
    }

    @Test func familiesAreDetectedFromTheModelName() throws {
        #expect(ModelFamily.detect(model: nil) == .stableDiffusion1)
        #expect(ModelFamily.detect(model: "tiny-random") == .stableDiffusion1)
        #expect(ModelFamily.detect(model: "tiny-random-xl") == .stableDiffusionXL)
        #expect(ModelFamily.detect(model: "stabilityai/stable-diffusion-xl-base-1.0") == .stableDiffusionXL)
        #expect(ModelFamily.detect(model: "KBlueLeaf/kohaku-v2.1") == .stableDiffusion1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("family-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(#"{"_class_name": "StableDiffusionXLPipeline"}"#.utf8).write(to: folder.appendingPathComponent("model_index.json"))
        #expect(ModelFamily.detect(model: folder.path) == .stableDiffusionXL)
        try Data(#"{"_class_name": "StableDiffusionPipeline"}"#.utf8).write(to: folder.appendingPathComponent("model_index.json"))
        #expect(ModelFamily.detect(model: folder.path) == .stableDiffusion1)
        #expect(try ModelFamily(parsing: "SDXL") == .stableDiffusionXL && (try ModelFamily(parsing: "sd1.5")) == .stableDiffusion1)
    }

    /// Guidance rescale: per sample, x <- r x std(c) / std(x) + (1 - r) x, torch's unbiased std.
    @Test func guidanceRescaleMatchesTheFormula() {
        // Two samples of 2 elements each: rows 0-1 unconditional, rows 2-3 conditional.
        let unconditional: [Float] = [0, 1, 2, 3]
        let conditional: [Float] = [1, 3, 2, 6]
        let prediction = Tensor(shape: [4, 1, 2, 1], values: unconditional + conditional)
        let result = RegionStepMath.guided(prediction, scale: 2, rescale: 0.7)
        func std(_ values: [Float]) -> Float {
            let mean = values.reduce(0, +) / Float(values.count)
            return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count - 1)).squareRoot()
        }
        var expected: [Float] = []
        for sample in 0..<2 {
            let u = Array(unconditional[(sample * 2)..<(sample * 2 + 2)]), c = Array(conditional[(sample * 2)..<(sample * 2 + 2)])
            let guided = zip(u, c).map { $0 + 2 * ($1 - $0) }
            let ratio = std(c) / std(guided)
            expected += guided.map { 0.7 * $0 * ratio + 0.3 * $0 }
        }
        let actual = result.scalars
        #expect(result.shape == [2, 1, 2, 1])
        for (left, right) in zip(actual, expected) { #expect(abs(left - right) < 1e-5, "\(actual) vs \(expected)") }
    }
}
