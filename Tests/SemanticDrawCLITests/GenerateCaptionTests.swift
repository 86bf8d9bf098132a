import Foundation
import ImageCodecs
import SemanticDraw
import Testing

/// `generate --caption-background` end to end on tiny-random with the tiny-random captioner (no
/// network): the caption `semantic-draw caption` prints for the background image becomes the
/// background prompt, is recorded in the palette (`background.caption`) and in the A1111
/// `parameters`, and gives the same pixels as that prompt given by hand; a palette asking for
/// a caption gets the same; `--captioner none` is a note and leaves the image without a prompt.
@Suite struct GenerateCaptionTests {
    typealias CLI = ForwardCommandTests

    struct Output: Decodable { let ids: [Int]; let text: String }

    /// The workspace of `GenerateCommandTests` plus a 64 x 48 RGB background image.
    static func workspace() throws -> GenerateCommandTests.Workspace {
        let workspace = try GenerateCommandTests.Workspace()
        var pixels: [UInt8] = []
        for y in 0..<48 { for x in 0..<64 { pixels += [UInt8(x * 4), UInt8(y * 5), UInt8((x + y) % 256)] } }
        try PNG.write(Image(width: 64, height: 48, channels: 3, pixels: pixels), to: workspace.path("background.png"))
        return workspace
    }

    static func pixels(_ path: String) throws -> [UInt8] { try PNG.read(path: path).pixels }

    @Test func theCaptionBecomesTheBackgroundPromptAndIsRecorded() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Self.workspace()
        let background = workspace.path("background.png")
        let captionRun = try CLI.run(["caption", background, "--model", "tiny-random", "--json"])
        #expect(captionRun.status == 0, "stderr: \(captionRun.error)")
        let caption = try JSONDecoder().decode(Output.self, from: Data(captionRun.output.utf8)).text
        try #require(!caption.isEmpty, "the tiny-random captioner gave an empty caption for this image")

        let run = try workspace.generate("captioned.png", ["--background-image", background, "--caption-background",
                                                           "--captioner", "tiny-random", "--save-palette", workspace.path("saved.json")])
        #expect(run.status == 0, "stderr: \(run.error)")
        #expect(run.error.contains("tiny-random captioner: random weights"))
        #expect(run.error.contains("background caption ("), "stderr: \(run.error)")

        // Recorded in the PNG's palette, the saved palette and the A1111 parameters.
        let palette = try Palette.fromPNG(path: workspace.path("captioned.png"))
        #expect(palette.background.prompt == caption && palette.background.caption == true)
        let saved = try Palette.decode(data: Data(contentsOf: URL(fileURLWithPath: workspace.path("saved.json"))), baseFolder: workspace.folder)
        #expect(saved.background.prompt == caption && saved.background.caption == true)
        let parameters = try #require(try PNG.textChunks(path: workspace.path("captioned.png"))[GenerationParameters.pngTextKeyword])
        #expect(parameters.contains("Background prompt: " + GenerationParameters.quoted(caption) + ","), "\(parameters)")

        // The caption given by hand as the background prompt: the same pixels.
        let byHand = try workspace.generate("by-hand.png", ["--background-image", background, "--background-prompt", caption])
        #expect(byHand.status == 0, "stderr: \(byHand.error)")
        #expect(try Self.pixels(workspace.path("by-hand.png")) == Self.pixels(workspace.path("captioned.png")))

        // Without a caption (no --caption-background) the image is case (b): another picture.
        let plain = try workspace.generate("plain.png", ["--background-image", background])
        #expect(plain.status == 0, "stderr: \(plain.error)")
        #expect(!plain.error.contains("background caption"))
        #expect(try Palette.fromPNG(path: workspace.path("plain.png")).background.prompt == nil)
        #expect(try Self.pixels(workspace.path("plain.png")) != Self.pixels(workspace.path("captioned.png")))
    }

    @Test func aPaletteAskingForACaptionGetsIt() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let workspace = try Self.workspace()
        let background = workspace.path("background.png")
        let first = try workspace.generate("captioned.png", ["--background-image", background, "--caption-background",
                                                             "--captioner", "tiny-random", "--save-palette", workspace.path("saved.json")])
        #expect(first.status == 0, "stderr: \(first.error)")
        // The saved palette without its prompt, still asking for a caption.
        let data = try Data(contentsOf: URL(fileURLWithPath: workspace.path("saved.json")))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var backgroundObject = try #require(json["background"] as? [String: Any])
        #expect(backgroundObject["caption"] as? Bool == true)
        backgroundObject.removeValue(forKey: "prompt")
        json["background"] = backgroundObject
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: workspace.path("asks.json")))

        let again = try CLI.run(["generate", "--palette", workspace.path("asks.json"), "--captioner", "tiny-random",
                                 "--output", workspace.path("again.png")])
        #expect(again.status == 0, "stderr: \(again.error)")
        #expect(again.error.contains("background caption ("))
        // Captioned again to the same prompt: the same PNG, palette chunk included.
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.path("again.png")))
            == Data(contentsOf: URL(fileURLWithPath: workspace.path("captioned.png"))))

        // A palette with its caption recorded is not captioned again (no captioner is loaded).
        let reopened = try CLI.run(["generate", "--palette", workspace.path("captioned.png"), "--captioner", "/nonexistent/blip2",
                                    "--output", workspace.path("reopened.png")])
        #expect(reopened.status == 0, "stderr: \(reopened.error)")
        #expect(!reopened.error.contains("captioner"))
    }

    @Test func captionerNoneIsANoteAndAMissingCaptionerAnError() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let workspace = try Self.workspace()
        let background = workspace.path("background.png")
        let none = try workspace.generate("none.png", ["--background-image", background, "--caption-background", "--captioner", "none"])
        #expect(none.status == 0, "stderr: \(none.error)")
        #expect(none.error.contains("note: --captioner none: the background image keeps no prompt"))
        let palette = try Palette.fromPNG(path: workspace.path("none.png"))
        #expect(palette.background.prompt == nil && palette.background.caption == true)
        let plain = try workspace.generate("plain.png", ["--background-image", background])
        #expect(plain.status == 0, "stderr: \(plain.error)")
        #expect(try Self.pixels(workspace.path("none.png")) == Self.pixels(workspace.path("plain.png")))

        // A captioner that is not there fails before generating, naming it, and writes nothing.
        let missing = try workspace.generate("missing.png", ["--background-image", background, "--caption-background",
                                                             "--captioner", workspace.path("no-such-folder")])
        #expect(missing.status != 0)
        #expect(missing.error.contains("no-such-folder"), "stderr: \(missing.error)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("missing.png")))

        // --caption-background without a background image changes nothing (nothing to caption).
        let noImage = try workspace.generate("no-image.png", ["--caption-background", "--captioner", "tiny-random"])
        #expect(noImage.status == 0, "stderr: \(noImage.error)")
        #expect(!noImage.error.contains("background caption"))
    }
}
