import Foundation
import ImageCodecs
import SemanticDraw
import Testing

/// `semantic-draw generate` end to end with `--model tiny-random` (no network, no cache):
/// determinism, the palette carried in the PNG, and bad input that must fail clearly and write
/// nothing.
@Suite struct GenerateCommandTests {
    typealias CLI = ForwardCommandTests

    /// A folder with two 64 x 48 masks: a disc (`disc.png`, grey) and a half (`half.png`).
    final class Workspace {
        let folder: String
        init() throws {
            folder = CLI.temporaryPath("generate")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try write(mask: "disc.png", width: 64, height: 48) { x, y in (x - 20) * (x - 20) + (y - 24) * (y - 24) < 225 }
            try write(mask: "half.png", width: 64, height: 48) { x, _ in x >= 32 }
            try write(mask: "small.png", width: 32, height: 24) { x, _ in x >= 16 }
        }
        deinit { try? FileManager.default.removeItem(atPath: folder) }

        func path(_ name: String) -> String { folder + "/" + name }

        func write(mask name: String, width: Int, height: Int, inside: (Int, Int) -> Bool) throws {
            var pixels: [UInt8] = []
            for y in 0..<height { for x in 0..<width { pixels.append(inside(x, y) ? 255 : 0) } }
            try PNG.write(Image(width: width, height: height, channels: 1, pixels: pixels), to: path(name))
        }

        /// `generate` with two brushes on tiny-random, plus `extra` options.
        func generate(_ output: String, _ extra: [String] = [], seed: String = "3") throws -> CLI.Run {
            try CLI.run(["generate", "--model", "tiny-random", "--mask-std", "2",
                         "--prompt", "a red apple", "--mask", path("disc.png"), "--prompt-strength", "0.8",
                         "--prompt", "blue sky", "--negative-prompt", "clouds", "--mask", path("half.png"),
                         "--seed", seed, "--output", path(output)] + extra)
        }
    }

    @Test func samePaletteAndSeedGiveByteIdenticalPNGs() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let workspace = try Workspace()
        let first = try workspace.generate("first.png")
        #expect(first.status == 0, "stderr: \(first.error)")
        #expect(first.error.contains("tiny-random: random weights, images are meaningless"))
        #expect(first.error.contains("5/5"), "a progress bar per slot: \(first.error)")
        let second = try workspace.generate("second.png")
        #expect(second.status == 0, "stderr: \(second.error)")
        let firstBytes = try Data(contentsOf: URL(fileURLWithPath: workspace.path("first.png")))
        #expect(firstBytes == (try Data(contentsOf: URL(fileURLWithPath: workspace.path("second.png")))))

        // The PNG carries its palette: re-opening it as --palette gives the same bytes again.
        let palette = try Palette.fromPNG(path: workspace.path("first.png"))
        #expect(palette.seed == 3 && palette.width == 64 && palette.height == 48 && palette.model == "tiny-random")
        #expect(palette.brushes.map(\.prompt) == ["a red apple", "blue sky"])
        #expect(palette.brushes.map(\.negativePrompt) == [nil, "clouds"])
        #expect(palette.brushes.map(\.maskBlur) == [2, 2] && palette.brushes.map(\.promptStrength) == [0.8, 1])
        let reopened = try CLI.run(["generate", "--palette", workspace.path("first.png"), "--output", workspace.path("reopened.png")])
        #expect(reopened.status == 0, "stderr: \(reopened.error)")
        #expect(firstBytes == (try Data(contentsOf: URL(fileURLWithPath: workspace.path("reopened.png")))))

        // Another seed gives another image; the decoded image has the canvas size.
        let other = try workspace.generate("other.png", seed: "4")
        #expect(other.status == 0)
        #expect(firstBytes != (try Data(contentsOf: URL(fileURLWithPath: workspace.path("other.png")))))
        let image = try PNG.read(path: workspace.path("other.png"))
        #expect(image.width == 64 && image.height == 48 && image.channels == 3)
    }

    @Test func posteriorMeanIsRecordedAndChangesTheImage() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let workspace = try Workspace()
        #expect(try workspace.generate("sample.png").status == 0)
        let mean = try workspace.generate("mean.png", ["--posterior-mean"])
        #expect(mean.status == 0, "stderr: \(mean.error)")
        #expect(try Palette.fromPNG(path: workspace.path("mean.png")).imageEncoding == .posteriorMean)
        #expect(try Palette.fromPNG(path: workspace.path("sample.png")).imageEncoding == .posteriorSample)
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.path("mean.png")))
            != Data(contentsOf: URL(fileURLWithPath: workspace.path("sample.png"))))
    }

    @Test func baselineAndPaletteFileRuns() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let workspace = try Workspace()
        let baseline = try workspace.generate("baseline.png", ["--baseline", "--steps", "3"])
        #expect(baseline.status == 0, "stderr: \(baseline.error)")
        #expect(try Palette.fromPNG(path: workspace.path("baseline.png")).schedule == Palette.Schedule(scheduler: .ddim, steps: 3))
        // --save-palette writes a JSON palette that generate reads back to the same image.
        let saved = try workspace.generate("saved.png", ["--save-palette", workspace.path("saved.json")])
        #expect(saved.status == 0, "stderr: \(saved.error)")
        let fromJSON = try CLI.run(["generate", "--palette", workspace.path("saved.json"), "--output", workspace.path("json.png")])
        #expect(fromJSON.status == 0, "stderr: \(fromJSON.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.path("saved.png")))
            == Data(contentsOf: URL(fileURLWithPath: workspace.path("json.png"))))
    }

    /// The help is printed from the option table: it lists exactly the options generate accepts
    /// (each once, aliases next to their option), and every listed option parses (an option
    /// missing from the table would be "unknown").
    @Test func helpListsEveryOptionOnce() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let help = try CLI.run(["generate", "--help"])
        #expect(help.status == 0, "stderr: \(help.error)")
        // An option row is "  NAMES VALUE" then, after at least two spaces, its help.
        let labels = help.output.split(separator: "\n").filter { $0.hasPrefix("  -") }
            .map { String($0.dropFirst(2)).components(separatedBy: "  ")[0] }
        let listed = labels.flatMap { label in
            label.split(separator: " ").map(String.init).filter { $0.hasPrefix("-") }.map { $0.hasSuffix(",") ? String($0.dropLast()) : $0 }
        }
        let expected = ["--prompt", "--negative-prompt", "--mask", "--mask-alpha", "--mask-std", "--mask-blur", "--prompt-strength",
                        "--brush-name", "--brush-color", "--palette", "--width", "--height", "--seed", "--steps", "--slots", "--guidance",
                        "--bootstrap-steps", "--bootstrap-mix", "--quantization", "--background-image", "--background-prompt",
                        "--background-negative-prompt", "--caption-background", "--captioner", "--baseline", "--posterior-mean", "--model", "--accelerator",
                        "--accelerator-lora", "--eta", "--config", "--lora", "--lora-scale", "--precision", "--tiny-vae", "--output", "--save-palette",
                        "--help", "-h"]
        #expect(listed.sorted() == expected.sorted())
        // An alias writes the same field as its option: --mask-blur then --mask-std on one brush is "twice".
        let workspace = try Workspace()
        let twice = try CLI.run(["generate", "--model", "tiny-random", "--prompt", "p", "--mask-blur", "1", "--mask-std", "2",
                                 "--output", workspace.path("out.png")])
        #expect(twice.status != 0 && twice.error.contains("brush 1 ('p') has --mask-std twice"), "\(twice.error)")
    }

    /// Each bad command line exits non-zero, says what is wrong, and leaves no output file.
    @Test(arguments: [
        (["--prompt", "p", "--mask", "disc.png", "--mask-alpha", "1.5"], "mask_alpha: 1.5 is outside 0...1"),
        (["--prompt", "p", "--mask", "disc.png", "--prompt-strength", "-0.1"], "prompt_strength: -0.1 is outside 0...1"),
        (["--prompt", "p", "--mask", "disc.png", "--mask-std", "-2"], "mask_blur: -2.0 is not a number >= 0"),
        (["--seed", "1"], "no brushes"),
        (["--prompt", "p", "--mask", "disc.png", "--width", "100"], "width: 100 is not a multiple of 8"),
        (["--mask", "disc.png", "--prompt", "p"], "--mask comes before any --prompt"),
        (["--prompt", "p", "--mask", "disc.png", "--negative-prompt", "a", "--negative-prompt", "b"], "more negative prompts than prompts"),
        (["--prompt", "p", "--background-prompt", "grass"], "background.prompt: the only brush has no mask"),
        (["--mask-std", "1", "--mask-std", "2", "--prompt", "p"], "the default --mask-std is given twice"),
        (["--prompt", "p", "--seed", "1", "--seed", "2"], "--seed is given twice"),
        (["--prompt", "p", "--baseline=yes"], "--baseline takes no value"),
        (["--prompt", "p", "--lora-scale", "0.5"], "--lora-scale comes before any --lora"),
        (["--prompt", "p", "stray"], "unexpected argument 'stray'"),
        (["--prompt", "p", "--mask", "missing.png"], "missing.png"),
        (["--prompt", "p", "--mask", "not-a-png.png"], "not-a-png.png"),
        (["--prompt", "p", "--mask", "disc.png", "--steps", "4", "--slots", "0,4"], "not both"),
        (["--prompt", "p", "--mask", "disc.png", "--slots", "0,99"], "schedule.slots[1]: 99 is outside 0..<50"),
        (["--prompt", "p", "--mask", "disc.png", "--frobnicate", "1"], "unknown option --frobnicate"),
    ] as [([String], String)])
    func badInputFailsClearly(arguments: [String], expected: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let workspace = try Workspace()
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: workspace.path("not-a-png.png")))
        let resolved = arguments.map { ["disc.png", "missing.png", "not-a-png.png"].contains($0) ? workspace.path($0) : $0 }
        let run = try CLI.run(["generate", "--model", "tiny-random"] + resolved + ["--output", workspace.path("out.png")])
        #expect(run.status != 0)
        #expect(run.error.contains(expected), "expected '\(expected)' in: \(run.error)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out.png")))
    }

    @Test func badPalettesFailClearly() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let workspace = try Workspace()
        let cases: [(String, String)] = [
            (##"{"version": 1, "width": 64, "height": 48, "model": "tiny-random", "brushes": [{"name": "a", "color": "#FF0000", "prompt": "p", "mask": {"file": "disc.png"}, "mask_alpha": "high"}]}"##,
             "brushes[0].mask_alpha"),
            (#"{"version": 7, "width": 64, "height": 48, "model": "tiny-random", "brushes": []}"#, "palette version 7 is not supported"),
            (#"{"version": 1, "width": 64, "height": 48, "model": "tiny-random", "brushes": []}"#, "at least one brush"),
            (#"{"version": 1, "width": 64, "height": 48, "model": "tiny-random""#, "not a palette"),
            (#"{"version": 1, "width": 64, "height": 48, "model": "tiny-random", "image_encoding": "mode", "brushes": []}"#, "image_encoding"),
        ]
        for (json, expected) in cases {
            try Data(json.utf8).write(to: URL(fileURLWithPath: workspace.path("palette.json")))
            let run = try CLI.run(["generate", "--palette", workspace.path("palette.json"), "--output", workspace.path("out.png")])
            #expect(run.status != 0)
            #expect(run.error.contains(expected), "expected '\(expected)' in: \(run.error)")
            #expect(!FileManager.default.fileExists(atPath: workspace.path("out.png")))
        }
        // Per-brush options cannot be added to a palette.
        let mixed = try CLI.run(["generate", "--palette", workspace.path("palette.json"), "--prompt", "p", "--output", workspace.path("out.png")])
        #expect(mixed.status != 0 && mixed.error.contains("--palette gives the brushes"), "\(mixed.error)")
    }

    @Test func maskOfAnotherSizeIsResizedWithANote() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let workspace = try Workspace()
        let run = try workspace.generate("resized.png", ["--prompt", "grass", "--mask", workspace.path("small.png")])
        #expect(run.status == 0, "stderr: \(run.error)")
        #expect(run.error.contains("brushes[2].mask: 32 x 24 resized bilinearly to 64 x 48"), "\(run.error)")
    }

    @Test func modelErrorsNameWhatIsWrong() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let workspace = try Workspace()
        let cases: [(String, String)] = [
            ("no such thing!", "not a Hugging Face repo id"),
            (workspace.folder, "is not a diffusers model folder: missing unet/config.json"),
            (workspace.path("disc.png"), "not a .safetensors checkpoint"),
        ]
        for (model, expected) in cases {
            let run = try CLI.run(["generate", "--model", model, "--prompt", "p", "--mask", workspace.path("disc.png"),
                                   "--output", workspace.path("out.png")])
            #expect(run.status != 0)
            #expect(run.error.contains(expected), "expected '\(expected)' in: \(run.error)")
            #expect(!FileManager.default.fileExists(atPath: workspace.path("out.png")))
        }
    }
}

/// `semantic-draw download`: tiny-random needs nothing; offline with an empty cache says so.
@Suite struct DownloadCommandTests {
    typealias CLI = ForwardCommandTests

    @Test func tinyRandomAndOfflineErrors() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
        let run = try CLI.run(["download", "tiny-random", "--verify"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("ready: tiny-random") && run.output.contains("loaded:"), "\(run.output)")
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["download", "test-org/not-cached"]
        var environment = ProcessInfo.processInfo.environment
        environment["HF_HUB_OFFLINE"] = "1"
        environment["HF_HOME"] = CLI.temporaryPath("hf-home")
        process.environment = environment
        let error = Pipe()
        process.standardError = error
        process.standardOutput = Pipe()
        try process.run()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(message.contains("HF_HUB_OFFLINE") && message.contains("not in the cache"), "\(message)")
    }
}
