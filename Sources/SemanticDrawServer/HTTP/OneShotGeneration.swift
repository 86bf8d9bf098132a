import Foundation
import ImageCodecs
import SemanticDraw
import TensorRuntime

/// `POST /api/generate`: a palette in, the one-shot image (PNG, palette embedded) out, with the
/// server's model (the palette's model fields and accelerator are replaced by the server's: its
/// accelerator LoRA is already fused).
struct OneShotGeneration: Sendable {
    let pipeline: RegionPipeline
    let configuration: ServerConfiguration

    func generate(paletteJSON: Data) throws -> Data {
        var palette: Palette
        do {
            palette = try Palette.decode(data: paletteJSON, baseFolder: nil, source: "request body")
        } catch {
            throw ClientMessageError("\(error)")
        }
        for (index, brush) in palette.brushes.enumerated() {
            // No mask is fine: the brush covers the canvas (plain text-to-image when it is the only one).
            if case .file? = brush.mask { throw ClientMessageError("brushes[\(index)].mask must be embedded data (the server reads no files)") }
        }
        if let image = palette.background.image, case .file = image {
            throw ClientMessageError("background.image must be embedded data (the server reads no files)")
        }
        guard palette.width <= configuration.limits.imageSide, palette.height <= configuration.limits.imageSide else {
            throw ClientMessageError("the canvas is \(palette.width) x \(palette.height), at most \(configuration.limits.imageSide) per side")
        }
        guard palette.brushes.count <= configuration.limits.brushes else {
            throw ClientMessageError("\(palette.brushes.count) brushes, at most \(configuration.limits.brushes)")
        }
        palette.model = configuration.modelName
        palette.loras = []
        palette.accelerator = configuration.accelerator
        palette.family = configuration.family
        palette.precision = configuration.precision
        palette.acceleratorLoRA = nil
        palette.tinyAutoencoder = nil
        let inputs: PaletteGenerationInputs
        do { inputs = try palette.regionInputs() } catch { throw ClientMessageError("\(error)") }
        var noise = TorchGenerator(seed: palette.seed)
        let output = try pipeline.generate(brushes: inputs.brushes, background: inputs.background, settings: inputs.settings, noise: &noise)
        return try PNG.encode(Image(tensor: output.image, range: .unit), textChunks: palette.pngText())
    }
}
