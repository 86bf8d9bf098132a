import Foundation
import ImageCodecs
import Schedulers
import TensorRuntime

extension Palette {
    /// How this palette's image was made, as A1111-style `parameters` (``GenerationParameters``),
    /// for tools that never read the palette chunk:
    /// - prompt: the brushes' prompts in order, joined by " BREAK " (Regional Prompter's
    ///   separator; one brush gives its prompt); the negative line likewise, when any is set;
    /// - `Steps` (slots run), `Sampler` (LCM, DDIM, Euler, TCD; the model's own for accelerator
    ///   none), `Schedule type` (the slots on the 50-step grid, or trailing spacing), `CFG scale`,
    ///   `Seed`, `Size`, `Model` (a path's last component), then `Accelerator`, LoRAs, the tiny
    ///   autoencoder, the background, bootstrapping and quantisation as they apply, `Mode`
    ///   (text-to-image, SemanticDraw regions or the baseline);
    /// - one `Region N` per brush of a region palette: its prompt, where its mask is (bounding
    ///   box of values >= 0.5 in pixels, and the share of the canvas it covers), alpha, blur,
    ///   prompt strength and negative prompt.
    /// The palette chunk stays the source of truth (`--palette image.png` reads only that).
    /// - Throws: ``PaletteError`` when a mask cannot be read, ``PresetError`` for an unsupported
    ///   family and accelerator.
    public func generationParameters() throws -> GenerationParameters {
        let preset = try self.preset
        let isBaseline = schedule.scheduler == .ddim
        let slotSchedule: SlotSchedule = isBaseline ? .steps(schedule.steps ?? 50) : schedule.slotSchedule ?? preset.defaultSchedule
        var settings: [GenerationParameters.Setting] = [
            .init("Steps", String(Preset.stepCount(slotSchedule))),
            .init("Sampler", isBaseline ? "DDIM" : GenerationParameters.samplerName(preset.scheduler(for: slotSchedule, eta: schedule.eta))),
        ]
        switch slotSchedule {
        case .slots(let slots):
            settings.append(.init("Schedule type", "slots " + slots.map(String.init).joined(separator: " ")
                + " of \(schedule.steps ?? Schedule.defaultGridSteps)"))
        case .steps:
            let spacing = isBaseline ? nil : preset.scheduler(for: slotSchedule, eta: schedule.eta).timestepSpacing
            if let spacing { settings.append(.init("Schedule type", spacing.rawValue)) }
        }
        settings += [
            .init("CFG scale", GenerationParameters.number(guidance)),
            .init("Seed", String(seed)),
            .init("Size", "\(width)x\(height)"),
            .init("Model", GenerationParameters.displayName(model)),
            .init("Accelerator", accelerator.rawValue),
        ]
        if let acceleratorLoRA { settings.append(.init("Accelerator LoRA", GenerationParameters.displayName(acceleratorLoRA))) }
        if !loras.isEmpty {
            settings.append(.init("LoRAs", loras.map { "\(GenerationParameters.displayName($0.path)) \(GenerationParameters.number($0.scale))" }
                .joined(separator: ", ")))
        }
        if let tinyAutoencoder { settings.append(.init("VAE", "TAESD " + GenerationParameters.displayName(tinyAutoencoder))) }
        if isTextToImage {
            settings.append(.init("Mode", "text-to-image"))
        } else {
            settings.append(.init("Mode", isBaseline ? "MultiDiffusion baseline" : "SemanticDraw regions"))
            if let prompt = background.prompt { settings.append(.init("Background prompt", prompt)) }
            if let negative = background.negativePrompt { settings.append(.init("Background negative prompt", negative)) }
            if background.image != nil { settings.append(.init("Background image", "yes")) }
            if !isBaseline {
                settings += [.init("Bootstrap steps", String(bootstrapSteps)), .init("Bootstrap mix", GenerationParameters.number(bootstrapMix)),
                             .init("Mask quantization", quantization.rawValue)]
            }
            let masks = try loadMasks().masks
            for (index, (brush, mask)) in zip(brushes, masks).enumerated() {
                settings.append(.init("Region \(index + 1)", regionDescription(brush, mask: mask)))
            }
        }
        if precision != .fp32 { settings.append(.init("Precision", precision.rawValue)) }
        settings.append(.init("Generator", "semantic-draw"))
        let negatives = brushes.map { $0.negativePrompt ?? "" }
        return GenerationParameters(prompt: brushes.map(\.prompt).joined(separator: " BREAK "),
                                    negativePrompt: negatives.allSatisfy(\.isEmpty) ? "" : negatives.joined(separator: " BREAK "),
                                    settings: settings)
    }

    /// The text chunks of a generated PNG, in file order: A1111's `parameters` (``generationParameters()``;
    /// `tEXt` when Latin-1, as A1111 writes it) and the palette (``pngTextChunks()``, `iTXt`).
    public func pngText() throws -> [PNGText] {
        [PNGText(keyword: GenerationParameters.pngTextKeyword, text: try generationParameters().text, storage: .latin1WhenPossible)]
            + (try pngTextChunks()).map { PNGText(keyword: $0.key, text: $0.value) }
    }

    /// "a red apple; mask 8,16 to 40,48 (23% of the canvas); alpha 1; blur 2; strength 0.8; negative: worms".
    private func regionDescription(_ brush: Brush, mask: Tensor) -> String {
        var parts = [brush.prompt]
        if brush.mask == nil {
            parts.append("the whole canvas")
        } else {
            let values = mask.scalars
            var top = height, left = width, bottom = -1, right = -1
            for y in 0..<height {
                for x in 0..<width where values[y * width + x] >= 0.5 {
                    top = min(top, y); bottom = max(bottom, y); left = min(left, x); right = max(right, x)
                }
            }
            let share = Int((values.reduce(0, +) / Float(max(values.count, 1)) * 100).rounded())
            parts.append(bottom < 0 ? "empty mask" : "mask \(left),\(top) to \(right + 1),\(bottom + 1) (\(share)% of the canvas)")
        }
        parts += ["alpha " + GenerationParameters.number(brush.maskAlpha), "blur " + GenerationParameters.number(brush.maskBlur),
                  "strength " + GenerationParameters.number(brush.promptStrength)]
        if let negative = brush.negativePrompt, !negative.isEmpty { parts.append("negative: " + negative) }
        return parts.joined(separator: "; ")
    }
}
