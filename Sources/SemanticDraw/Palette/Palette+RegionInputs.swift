import DiffusionModels
import Foundation
import ImageCodecs
import Schedulers
import TensorRuntime

/// A palette read into what ``RegionPipeline/generate(brushes:background:settings:noise:progress:)``
/// takes: the one place where the file format becomes pipeline inputs.
public struct PaletteGenerationInputs: Sendable {
    public let brushes: [RegionBrush]
    public let background: RegionBackground
    public let settings: RegionGenerationSettings
    /// Things the user should know (masks resized, empty masks, ...).
    public let notes: [String]
}

extension Palette {
    /// Validates the palette, reads its masks and background image and maps every field onto the
    /// pipeline: schedule "lcm" runs SemanticDraw (Algorithm S2) on the palette's slots or steps,
    /// or plain text-to-image when the only brush has no mask (``isTextToImage``); "ddim" runs
    /// the baseline MultiDiffusion (Algorithm S1) with the palette's steps (default 50) and
    /// guidance (a brush without a mask is an all-ones region there). Throws ``PaletteError``
    /// naming the field.
    public func regionInputs() throws -> PaletteGenerationInputs {
        try validate()
        let loaded = try loadMasks()
        var brushes: [RegionBrush] = []
        for (brush, mask) in zip(self.brushes, loaded.masks) {
            brushes.append(RegionBrush(prompt: .text(brush.prompt), negativePrompt: brush.negativePrompt.map(PromptInput.text), mask: mask,
                                       maskAlpha: brush.maskAlpha, maskBlur: Double(brush.maskBlur), promptStrength: brush.promptStrength))
        }
        var backgroundImage: Tensor?
        if let image = try loadBackgroundImage() { backgroundImage = Self.channelsLastRGB(image) }
        let background = RegionBackground(image: backgroundImage, prompt: self.background.prompt.map(PromptInput.text),
                                          negativePrompt: self.background.negativePrompt.map(PromptInput.text))
        var settings: RegionGenerationSettings
        switch schedule.scheduler {
        case .lcm:
            settings = RegionGenerationSettings(height: height, width: width)
            settings.apply(try preset, schedule: schedule.slotSchedule, eta: schedule.eta)
            settings.bootstrapSteps = bootstrapSteps
            settings.bootstrapMix = bootstrapMix
            if isTextToImage {
                settings.method = .textToImage
                if backgroundImage != nil || self.background.prompt != nil {
                    let field = backgroundImage != nil ? "background.image" : "background.prompt"
                    throw PaletteError.invalidField(path: field, reason: "the only brush has no mask, which is plain text-to-image over the "
                        + "whole canvas: there is no background (give the brush a mask, or leave the background out)")
                }
            }
        case .ddim:
            settings = .baseline(height: height, width: width)
            if let steps = schedule.steps { settings.schedule = .steps(steps) }
            if schedule.slots != nil {
                throw PaletteError.invalidField(path: "schedule.slots", reason: "the DDIM baseline runs every step of its schedule; give schedule.steps instead")
            }
            if backgroundImage != nil {
                throw PaletteError.invalidField(path: "background.image", reason: "the DDIM baseline (MultiDiffusion) takes no background image")
            }
        case .euler:
            throw PaletteError.invalidField(path: "schedule.scheduler", reason: "\"euler\" is not supported for one-shot generation yet (use \"lcm\", or \"ddim\" for the baseline)")
        }
        settings.guidance = guidance
        settings.quantization = quantization
        settings.imageEncoding = imageEncoding
        return PaletteGenerationInputs(brushes: brushes, background: background, settings: settings, notes: loaded.notes)
    }

    /// Whether the palette is plain text-to-image: one brush, without a mask, on the preset's
    /// scheduler (schedule "lcm"; the "ddim" baseline always runs its region loop).
    public var isTextToImage: Bool {
        brushes.count == 1 && brushes[0].mask == nil && schedule.scheduler == .lcm
    }

    /// The model family: ``family``, or detected from the model (relative folders resolved
    /// against ``baseFolder``).
    public var resolvedFamily: ModelFamily {
        if let family { return family }
        var name = model
        if let baseFolder, !model.hasPrefix("/"), FileManager.default.fileExists(atPath: (baseFolder as NSString).appendingPathComponent(model)) {
            name = (baseFolder as NSString).appendingPathComponent(model)
        }
        return ModelFamily.detect(model: name)
    }

    /// The preset of the palette's family and accelerator.
    /// - Throws: ``PresetError/unsupportedCombination(family:accelerator:)``.
    public var preset: Preset {
        get throws(PresetError) { try Preset.preset(resolvedFamily, accelerator: accelerator) }
    }

    /// The LoRA references the model loader fuses, in order: the accelerator LoRA
    /// (``acceleratorLoRA``, or the preset's for the schedule — none for tiny-random), then `loras`.
    /// - Throws: ``PresetError`` when the preset has no LoRA for the schedule's step count.
    public func modelLoRAReferences() throws -> [LoRAReference] {
        var references: [LoRAReference] = []
        switch acceleratorLoRA {
        case "none"?:
            break
        case let name?:
            references.append(Palette.LoRA(path: name, scale: 1).reference(baseFolder: baseFolder))
        case nil:
            if !ModelReference.builtInNames.contains(model), schedule.scheduler == .lcm,
               let reference = try preset.loraReference(for: schedule.slotSchedule ?? preset.defaultSchedule) {
                references.append(LoRAReference(path: reference))
            }
        }
        return references + loraReferences
    }

    /// What the model loader loads for this palette: its model, ``modelLoRAReferences()`` and
    /// tiny autoencoder. On the default SDXL base model (``ModelRequest/defaultXLModelName``)
    /// with no accelerator LoRA named, a preset with distilled UNets (Lightning) loads the UNet
    /// for the schedule instead of fusing its LoRA, as the authors' SDXL pipeline does without
    /// a model of its own.
    /// - Throws: ``PresetError`` when the preset has no LoRA or UNet for the schedule's step count.
    public func modelRequest(configurationFolder: String? = nil) throws -> ModelRequest {
        var request = ModelRequest(model: model, configurationFolder: configurationFolder, loras: try modelLoRAReferences(),
                                   tinyAutoencoder: tinyAutoencoder)
        request.precision = precision
        if acceleratorLoRA == nil, model == ModelRequest.defaultXLModelName, schedule.scheduler == .lcm,
           let unet = try preset.acceleratedUNetReference(for: schedule.slotSchedule ?? preset.defaultSchedule) {
            request.unetWeights = unet
            request.loras = loraReferences
        }
        return request
    }

    /// An image as [H, W, 3] in 0...1: grey is repeated, alpha dropped.
    public static func channelsLastRGB(_ image: Image) -> Tensor {
        let pixels = image.width * image.height
        var values = [Float](repeating: 0, count: pixels * 3)
        for pixel in 0..<pixels {
            for channel in 0..<3 {
                let sourceChannel = image.channels >= 3 ? channel : 0
                values[pixel * 3 + channel] = Float(image.pixels[pixel * image.channels + sourceChannel]) / 255
            }
        }
        return Tensor(shape: [image.height, image.width, 3], values: values)
    }
}

extension Palette.Schedule {
    /// The slot schedule this names: explicit slots (on the 50-step grid unless `steps` says
    /// otherwise, which the LCM grid takes from the model's `original_inference_steps`), the
    /// model's own `steps`-step schedule, or nil for the pipeline's default.
    public var slotSchedule: SlotSchedule? {
        if let slots { return .slots(slots) }
        if let steps { return .steps(steps) }
        return nil
    }
}
