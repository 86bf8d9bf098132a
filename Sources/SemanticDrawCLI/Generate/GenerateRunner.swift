import Foundation
import Hub
import ImageCodecs
import SemanticDraw
import TensorRuntime

/// Runs `generate`: palette, model, pipeline, PNG. Nothing is written unless generation
/// completes (the PNG is written atomically).
struct GenerateRunner {
    let arguments: GenerateArguments

    func run() async throws {
        var palette = try arguments.makePalette()
        try await captionBackgroundIfAsked(&palette)
        let output = arguments.output ?? "semantic-draw.png"
        guard output.lowercased().hasSuffix(".png") else {
            throw GenerateArgumentError("--output \(output): the output is a PNG file (name it .png)")
        }
        let inputs = try palette.regionInputs()
        for note in inputs.notes { printError("note: \(note)") }

        let request = try palette.modelRequest(configurationFolder: arguments.configurationFolder)
        let model = try await ModelLoading.load(request)
        let pipeline = model.regionPipeline
        let method = switch inputs.settings.method {
        case .baselineMultiDiffusion: "DDIM baseline"
        case .textToImage: "text-to-image (\(palette.accelerator.rawValue), \(inputs.settings.schedule))"
        case .semanticDraw: "SemanticDraw (\(palette.accelerator.rawValue), \(inputs.settings.schedule))"
        }
        printError("generating \(palette.width)x\(palette.height), \(palette.brushes.count) brush\(palette.brushes.count == 1 ? "" : "es"), "
            + "seed \(palette.seed), \(method)")
        let bar = StepProgressBar(label: "generating")
        var noise = TorchGenerator(seed: palette.seed)
        let start = Date()
        let result = try pipeline.generate(brushes: inputs.brushes, background: inputs.background, settings: inputs.settings,
                                           noise: &noise, progress: { bar.update($0, $1) })
        try Task.checkCancellation()
        let image = try Image(tensor: result.image, range: .unit)
        try PNG.write(image, to: output, textChunks: try palette.pngText())
        if let path = arguments.savePalette { try palette.write(to: path, embeddingMasks: true) }
        printError(String(format: "wrote %@ (%d x %d) in %.1f s", output, palette.width, palette.height, Date().timeIntervalSince(start)))
    }

    /// A background image without a prompt, with captioning asked for (`--caption-background` or
    /// the palette's `background.caption`), gets BLIP-2's caption as its prompt, kept in the palette
    /// (and so in the PNG). `--captioner none` leaves it without one.
    private func captionBackgroundIfAsked(_ palette: inout Palette) async throws {
        guard palette.background.needsCaption, let image = try palette.loadBackgroundImage() else { return }
        let name = arguments.captioner ?? CaptionerLoader.defaultName
        if name == CaptionerLoader.noneName {
            printError("note: --captioner none: the background image keeps no prompt")
            return
        }
        let captioner = try await CaptionerLoader(hub: try HubClientFactory.make(), log: { printError($0) }).load(name, precision: palette.precision)
        let started = Date()
        let caption = try captioner.caption(image)
        palette.background.prompt = caption.text
        printError(String(format: "background caption (%.1f s): %@", Date().timeIntervalSince(started), caption.text))
    }
}
