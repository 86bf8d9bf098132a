import Foundation
import ImageCodecs
import SemanticDraw
import TensorRuntime
import Testing

/// The palette JSON format (docs/PALETTE.md, version 1): decoding with defaults, encoding with
/// sorted snake_case keys, and round trips with file and embedded masks.
@Suite struct PaletteFormatTests {
    @Test func decodesTheExample() throws {
        let palette = try Palette.load(path: PaletteTestSupport.examplePath)
        #expect(palette.version == 3, "a version-1 file reads as version 3")
        #expect(palette.accelerator == .lcm && palette.acceleratorLoRA == "none", "version 1: LCM, every LoRA listed in loras")
        #expect(palette.width == 64 && palette.height == 48)
        #expect(palette.seed == 2024)
        #expect(palette.model == "tiny-random")
        #expect(palette.loras == [Palette.LoRA(path: "loras/lcm-lora-sdv1-5.safetensors", scale: 1)])
        #expect(palette.schedule == Palette.Schedule(scheduler: .lcm, steps: nil, slots: [0, 4, 12, 25, 37]))
        #expect(palette.quantization == .discrete)
        #expect(palette.background == Palette.Background(image: nil, prompt: "a sunny meadow", negativePrompt: "blurry"))
        #expect(palette.brushes.map(\.name) == ["Ground", "Sky", "Cat"])
        #expect(palette.brushes[1].maskBlur == 4 && palette.brushes[1].promptStrength == 0.9)
        #expect(palette.brushes[2].negativePrompt == "dog")
        #expect(palette.brushes[2].mask == .file("masks/cat.png"))
        #expect(palette.baseFolder == PaletteTestSupport.fixtures.path)
    }

    @Test func appliesDefaults() throws {
        let json = """
        {"version": 1, "width": 16, "height": 8, "model": "tiny-random",
         "brushes": [{"name": "a", "color": "#000000", "prompt": "a cat", "mask": {"file": "masks/ground.png"}}]}
        """
        let palette = try Palette.decode(data: Data(json.utf8), baseFolder: nil)
        #expect(palette.seed == 0)
        #expect(palette.loras.isEmpty)
        #expect(palette.schedule == Palette.Schedule())
        #expect(palette.guidance == 1 && palette.bootstrapSteps == 1 && palette.bootstrapMix == 1)
        #expect(palette.quantization == .discrete)
        #expect(palette.background == Palette.Background())
        let brush = palette.brushes[0]
        #expect(brush.maskAlpha == 1 && brush.maskBlur == 1 && brush.promptStrength == 1 && brush.negativePrompt == nil)
        #expect(palette.seed == 0)
    }

    @Test func encodesSortedSnakeCaseKeys() throws {
        let palette = try Palette.load(path: PaletteTestSupport.examplePath)
        let text = String(decoding: try palette.encode(), as: UTF8.self)
        for key in ["\"bootstrap_mix\"", "\"bootstrap_steps\"", "\"mask_alpha\"", "\"mask_blur\"", "\"prompt_strength\"",
                    "\"negative_prompt\"", "\"quantization\" : \"discrete\"", "\"file\" : \"masks/cat.png\""] {
            #expect(text.contains(key), "\(key) in\n\(text)")
        }
        let topLevel = ["background", "bootstrap_mix", "bootstrap_steps", "brushes", "guidance", "height", "loras",
                        "model", "quantization", "schedule", "seed", "version", "width"]
        let positions = topLevel.compactMap { text.range(of: "\n  \"\($0)\"")?.lowerBound }
        #expect(positions.count == topLevel.count && positions == positions.sorted(), "top-level keys are sorted")
        #expect(!text.contains("baseFolder") && !text.contains("base_folder"))
    }

    @Test func roundTripsWithFileReferences() throws {
        let palette = try Palette.load(path: PaletteTestSupport.examplePath)
        let again = try Palette.decode(data: palette.encode(), baseFolder: palette.baseFolder)
        #expect(again == palette)
        // A seed above Int64.max survives.
        var large = palette
        large.seed = UInt64.max - 1
        #expect(try Palette.decode(data: large.encode(), baseFolder: large.baseFolder).seed == UInt64.max - 1)
    }

    @Test func roundTripsWithEmbeddedMasks() throws {
        var palette = try Palette.load(path: PaletteTestSupport.examplePath)
        palette.background.image = .file("masks/cat.png")
        let json = try palette.encode(embeddingMasks: true)
        #expect(!String(decoding: json, as: UTF8.self).contains("\"file\""))
        // Embedded: no base folder needed.
        let embedded = try Palette.decode(data: json, baseFolder: "/nonexistent")
        for brush in embedded.brushes {
            guard case .data = brush.mask else { Issue.record("\(brush.name) is not embedded"); continue }
        }
        let original = try palette.loadMasks(), decoded = try embedded.loadMasks()
        #expect(original.masks.map(\.scalars) == decoded.masks.map(\.scalars))
        #expect(original.notes == decoded.notes)
        #expect(try embedded.loadBackgroundImage() == palette.loadBackgroundImage())
        // Encoding the embedded palette again gives the same bytes.
        #expect(try embedded.encode(embeddingMasks: true) == json)
        #expect(try embedded.encode() == json)
    }

    @Test func writesAndLoadsAFile() throws {
        let folder = try PaletteTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let palette = try Palette.load(path: PaletteTestSupport.examplePath)
        let path = folder.appendingPathComponent("canvas.json").path
        try palette.write(to: path, embeddingMasks: true)
        let loaded = try Palette.load(path: path)
        #expect(try loaded.loadMasks().masks.map(\.scalars) == palette.loadMasks().masks.map(\.scalars))
        #expect(loaded.brushes.map(\.prompt) == palette.brushes.map(\.prompt))
    }

    @Test func roundTripsThroughAGeneratedPNG() throws {
        let folder = try PaletteTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let palette = try Palette.load(path: PaletteTestSupport.examplePath)
        let image = try Image(width: palette.width, height: palette.height, channels: 3, repeating: 200)
        let path = folder.appendingPathComponent("generated.png").path
        try PNG.write(image, to: path, textChunks: palette.pngTextChunks())

        let restored = try Palette.fromPNG(path: path)
        #expect(try PNG.read(path: path) == image)
        #expect(restored.width == palette.width && restored.seed == palette.seed && restored.schedule == palette.schedule)
        #expect(restored.brushes.map(\.prompt) == palette.brushes.map(\.prompt))
        #expect(try restored.loadMasks().masks.map(\.scalars) == palette.loadMasks().masks.map(\.scalars))
        // Writing the restored palette back into a PNG carries the same JSON.
        #expect(try restored.pngTextChunks() == palette.pngTextChunks())

        let plain = folder.appendingPathComponent("plain.png").path
        try PNG.write(image, to: plain)
        #expect(throws: PaletteError.noPaletteInImage(path: plain)) { try Palette.fromPNG(path: plain) }
    }

    @Test func parsesColours() throws {
        let brush = Palette.Brush(name: "a", color: "#FFaa01", prompt: "p", mask: .file("m.png"))
        #expect(brush.colorComponents?.red == 255 && brush.colorComponents?.green == 170 && brush.colorComponents?.blue == 1)
        for bad in ["FFAA01", "#FFAA0", "#+FAA01", "#GGAA01", "red", "#FFAA011"] {
            #expect(Palette.Brush(name: "a", color: bad, prompt: "p", mask: .file("m.png")).colorComponents == nil, "\(bad)")
        }
    }
}

extension PaletteFormatTests {
    @Test func resolvesLoRAPaths() throws {
        let folder = try PaletteTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data().write(to: folder.appendingPathComponent("lcm.safetensors"))
        var palette = try Palette.load(path: PaletteTestSupport.examplePath)
        palette.baseFolder = folder.path
        palette.loras = [Palette.LoRA(path: "lcm.safetensors", scale: 0.5), Palette.LoRA(path: "latent-consistency/lcm-lora-sdv1-5")]
        let references = palette.loraReferences
        #expect(references.map(\.path) == [folder.appendingPathComponent("lcm.safetensors").path, "latent-consistency/lcm-lora-sdv1-5"])
        #expect(references.map(\.scale) == [0.5, 1])
    }
}
