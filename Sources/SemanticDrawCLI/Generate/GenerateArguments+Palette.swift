import Foundation
import ImageCodecs
import SemanticDraw
import TensorRuntime

extension GenerateArguments {
    /// Brush colours assigned in order when `--brush-color` is not given (display only).
    static let brushColors = ["#E6194B", "#3CB44B", "#4363D8", "#F58231", "#911EB4", "#42D4F4", "#F032E6", "#BFEF45"]

    /// The palette this command line describes: `--palette` (JSON or a generated PNG) with the
    /// global options overriding its fields, or the brushes given with `--prompt`. Validated.
    func makePalette() throws -> Palette {
        var palette: Palette
        if let path = self.palette.map({ ($0 as NSString).expandingTildeInPath }) {
            guard brushes.isEmpty, defaults == BrushDefaults() else {
                throw GenerateArgumentError("--palette gives the brushes; --prompt and the per-brush options cannot be added to it "
                    + "(edit the palette, or leave --palette out)")
            }
            palette = path.lowercased().hasSuffix(".png") ? try Palette.fromPNG(path: path) : try Palette.load(path: path)
            if let model {
                palette.model = model
                palette.loras = []
                palette.acceleratorLoRA = nil
                palette.tinyAutoencoder = nil
                palette.family = ModelFamily.detect(model: model)
                if accelerator == nil, !Preset.supports(palette.resolvedFamily, palette.accelerator) {
                    palette.accelerator = Preset.defaultAccelerator(for: palette.resolvedFamily)
                }
            }
        } else {
            palette = try paletteFromBrushes()
        }
        try applyGlobals(to: &palette)
        try palette.validate()
        return palette
    }

    private func paletteFromBrushes() throws -> Palette {
        guard !brushes.isEmpty else {
            throw GenerateArgumentError("no brushes: give --prompt TEXT (with --mask FILE for a region) once per brush, or --palette FILE")
        }
        let asked = try accelerator.map(Accelerator.init(parsing:))
        let family = model == nil ? Preset.defaultFamily(for: asked) : ModelFamily.detect(model: model)
        let preset = try Preset.preset(family, accelerator: asked ?? Preset.defaultAccelerator(for: family))
        var paletteBrushes: [Palette.Brush] = []
        for (index, brush) in brushes.enumerated() {
            // A brush without --mask covers the canvas (alone: plain text-to-image).
            paletteBrushes.append(Palette.Brush(
                name: brush.name ?? "brush \(index + 1)", color: brush.color ?? Self.brushColors[index % Self.brushColors.count],
                prompt: brush.prompt, negativePrompt: brush.negativePrompt ?? defaults.negativePrompt,
                mask: brush.mask.map { .file(Self.absolute($0)) },
                maskAlpha: brush.maskAlpha ?? defaults.maskAlpha ?? 1,
                maskBlur: brush.maskBlur ?? defaults.maskBlur ?? Float(preset.oneShotMaskBlur),
                promptStrength: brush.promptStrength ?? defaults.promptStrength ?? 1))
        }
        var width = self.width, height = self.height
        if width == nil || height == nil, let index = paletteBrushes.firstIndex(where: { $0.mask != nil }),
           case .file(let path)? = paletteBrushes[index].mask {
            // The canvas defaults to the first mask's size (without masks: the preset's canvas).
            let image: Image
            do { image = try PNG.read(path: path) } catch {
                throw PaletteError.unreadableImage(field: "brushes[\(index)].mask", source: path, reason: "\(error)")
            }
            width = width ?? image.width
            height = height ?? image.height
        }
        var request = model == nil ? ModelRequest(model: ModelRequest.defaultModelName(for: family)) : ModelRequest(model: model ?? "")
        if model == nil { request.tinyAutoencoder = preset.tinyAutoencoder }
        var palette = Palette(width: width ?? preset.oneShotCanvas, height: height ?? preset.oneShotCanvas, model: request.model,
                              loras: request.loras.map { Palette.LoRA(path: $0.path, scale: $0.scale) },
                              tinyAutoencoder: request.tinyAutoencoder, brushes: paletteBrushes)
        palette.family = family
        palette.accelerator = preset.accelerator
        palette.guidance = preset.guidance
        return palette
    }

    /// `--accelerator`, `--accelerator-lora` and `--eta` (the preset's guidance unless --guidance is given).
    private func applyAccelerator(to palette: inout Palette) throws {
        if let accelerator {
            palette.accelerator = try Accelerator(parsing: accelerator)
            if guidance == nil, !baseline { palette.guidance = try palette.preset.guidance }
        }
        if let acceleratorLoRA {
            palette.acceleratorLoRA = acceleratorLoRA == "none" || !FileManager.default.fileExists(atPath: acceleratorLoRA)
                ? acceleratorLoRA : Self.absolute(acceleratorLoRA)
        }
        if let eta {
            guard eta >= 0, eta <= 1 else { throw GenerateArgumentError("--eta \(eta) is outside 0...1") }
            palette.schedule.eta = eta
        }
    }

    private func applyGlobals(to palette: inout Palette) throws {
        if let width { palette.width = width }
        if let height { palette.height = height }
        if let seed { palette.seed = seed }
        if steps != nil, slots != nil { throw GenerateArgumentError("give --steps or --slots, not both") }
        if let steps { palette.schedule = Palette.Schedule(scheduler: palette.schedule.scheduler, steps: steps, eta: palette.schedule.eta) }
        if let slots { palette.schedule = Palette.Schedule(scheduler: palette.schedule.scheduler, slots: slots, eta: palette.schedule.eta) }
        try applyAccelerator(to: &palette)
        if baseline {
            if slots != nil { throw GenerateArgumentError("--baseline runs every step of a DDIM schedule: give --steps (default 50), not --slots") }
            palette.schedule = Palette.Schedule(scheduler: .ddim, steps: steps ?? 50)
            if guidance == nil { palette.guidance = 7.5 }
        }
        if let guidance { palette.guidance = guidance }
        if posteriorMean { palette.imageEncoding = .posteriorMean }
        if let bootstrapSteps { palette.bootstrapSteps = bootstrapSteps }
        if let bootstrapMix { palette.bootstrapMix = bootstrapMix }
        if let quantization {
            guard let parsed = MaskQuantization(rawValue: quantization) else {
                throw GenerateArgumentError("--quantization '\(quantization)' is not one of \(MaskQuantization.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            palette.quantization = parsed
        }
        if let precision {
            guard let parsed = Precision(rawValue: precision) else {
                throw GenerateArgumentError("--precision '\(precision)' is not one of \(Precision.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            palette.precision = parsed
        }
        if let backgroundImage { palette.background.image = .file(Self.absolute(backgroundImage)) }
        if let backgroundPrompt { palette.background.prompt = backgroundPrompt }
        if let backgroundNegativePrompt { palette.background.negativePrompt = backgroundNegativePrompt }
        if captionBackground { palette.background.caption = true }
        palette.loras += loras.map { Palette.LoRA(path: FileManager.default.fileExists(atPath: $0.path) ? Self.absolute($0.path) : $0.path,
                                                  scale: $0.scale ?? 1) }
        if let tinyAutoencoder {
            palette.tinyAutoencoder = FileManager.default.fileExists(atPath: tinyAutoencoder) ? Self.absolute(tinyAutoencoder) : tinyAutoencoder
        }
        if let model, FileManager.default.fileExists(atPath: model) { palette.model = Self.absolute(model) }
    }

    /// A path made absolute against the current folder (palettes resolve relative paths against
    /// their own folder, so command-line paths are stored absolute).
    static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return expanded }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(expanded).standardizedFileURL.path
    }
}
