import Foundation
import ImageCodecs
import SemanticDraw
import Testing

/// The A1111-style `parameters` text (``GenerationParameters``, ``Palette/generationParameters()``):
/// the layout A1111's `create_infotext` writes and its `parse_generation_parameters` reads (prompt,
/// "Negative prompt: " line, one settings line of `Key: value` pairs, values with ",", ":" or line
/// breaks as JSON strings), and what a palette puts in it.
@Suite struct GenerationParametersTests {
    @Test func formatsAsA1111() {
        let parameters = GenerationParameters(prompt: "a cat", negativePrompt: "dog", settings: [
            .init("Steps", "5"), .init("Sampler", "LCM"), .init("Model", "org/name"), .init("Region 1", "a, b: c\n\"d\""),
        ])
        #expect(parameters.text == "a cat\nNegative prompt: dog\nSteps: 5, Sampler: LCM, Model: org/name, Region 1: \"a, b: c\\n\\\"d\\\"\"")
        #expect(GenerationParameters(prompt: "a cat", settings: [.init("Seed", "1")]).text == "a cat\nSeed: 1")
        #expect(GenerationParameters.quoted("café, é") == "\"café, é\"", "non-ASCII kept, as json.dumps(ensure_ascii=False)")
        #expect(GenerationParameters.number(7) == "7" && GenerationParameters.number(7.5) == "7.5" && GenerationParameters.number(0.9) == "0.9")
        #expect(GenerationParameters.displayName("/home/me/models/sd15") == "sd15" && GenerationParameters.displayName("org/name") == "org/name")
    }

    @Test func describesARegionPalette() throws {
        var palette = try Palette.load(path: PaletteTestSupport.examplePath)   // 3 brushes, a background prompt, version 1
        palette.seed = 9
        let parameters = try palette.generationParameters()
        #expect(parameters.prompt == palette.brushes.map(\.prompt).joined(separator: " BREAK "))
        #expect(parameters.negativePrompt == " BREAK  BREAK dog", "negative prompts stay in brush order")
        let settings = Dictionary(uniqueKeysWithValues: parameters.settings.map { ($0.key, $0.value) })
        #expect(settings["Steps"] == "5" && settings["Sampler"] == "LCM" && settings["Schedule type"] == "slots 0 4 12 25 37 of 50")
        #expect(settings["CFG scale"] == "1" && settings["Seed"] == "9" && settings["Size"] == "64x48" && settings["Model"] == "tiny-random")
        #expect(settings["Mode"] == "SemanticDraw regions" && settings["Background prompt"] == "a sunny meadow")
        #expect(settings["LoRAs"] == "loras/lcm-lora-sdv1-5.safetensors 1")
        #expect(settings["Region 3"]?.hasPrefix("\(palette.brushes[2].prompt); mask ") == true, "\(settings["Region 3"] ?? "")")
        #expect(settings["Region 3"]?.hasSuffix("; negative: dog") == true)
        #expect(parameters.settings.last == .init("Generator", "semantic-draw"))
    }

    @Test func describesTextToImage() throws {
        var palette = Palette(width: 64, height: 48, model: "/home/me/models/sd15",
                              brushes: [Palette.Brush(name: "a", color: "#000000", prompt: "a cat", negativePrompt: "blurry", mask: nil)])
        palette.guidance = 2.5
        let text = try palette.generationParameters().text
        #expect(text == "a cat\nNegative prompt: blurry\nSteps: 5, Sampler: LCM, Schedule type: slots 0 4 12 25 37 of 50, CFG scale: 2.5, "
                + "Seed: 0, Size: 64x48, Model: sd15, Accelerator: lcm, Mode: text-to-image, Generator: semantic-draw")
        // In the PNG: parameters (tEXt, Latin-1) first, then the palette (iTXt).
        let chunks = try palette.pngText()
        #expect(chunks.map(\.keyword) == ["parameters", "semantic-draw"] && chunks[0].text == text)
        #expect(chunks.map(\.storage) == [.latin1WhenPossible, .international])
    }
}
