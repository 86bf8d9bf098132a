import Foundation
import SemanticDraw
import Testing

/// Every validation error of the palette format names the JSON path of the bad field and its
/// value (docs/PALETTE.md, "Validation").
@Suite struct PaletteValidationTests {
    /// A change to the example palette and the exact error message it must give.
    struct Case: CustomStringConvertible, Sendable {
        let description: String
        let expected: String
        let change: @Sendable (inout [String: Any]) -> Void
    }

    static func brush(_ object: inout [String: Any], _ index: Int, _ key: String, _ value: Any?) {
        var brushes = object["brushes"] as? [[String: Any]] ?? []
        brushes[index][key] = value
        object["brushes"] = brushes
    }

    static let cases: [Case] = [
        Case(description: "future version", expected: "palette version 7 is not supported (this build reads versions 1 to 3)") { $0["version"] = 7 },
        Case(description: "no version", expected: "version: is missing (this build reads versions 1 to 3)") { $0["version"] = nil },
        Case(description: "width", expected: "width: 500 is not a multiple of 8") { $0["width"] = 500 },
        Case(description: "height", expected: "height: 0 is outside 8...16384") { $0["height"] = 0 },
        Case(description: "width type", expected: "width: expected an integer") { $0["width"] = "512" },
        Case(description: "model", expected: "model: is missing (required)") { $0["model"] = nil },
        Case(description: "seed", expected: "seed: expected a whole number from 0 to 18446744073709551615") { $0["seed"] = "forty-two" },
        Case(description: "no brushes", expected: "brushes: a palette needs at least one brush") { $0["brushes"] = [[String: Any]]() },
        Case(description: "mask alpha", expected: "brushes[1].mask_alpha: 1.5 is outside 0...1") { brush(&$0, 1, "mask_alpha", 1.5) },
        Case(description: "mask alpha type", expected: "brushes[0].mask_alpha: expected a number") { brush(&$0, 0, "mask_alpha", "high") },
        Case(description: "strength", expected: "brushes[2].prompt_strength: -0.5 is outside 0...1") { brush(&$0, 2, "prompt_strength", -0.5) },
        Case(description: "blur", expected: "brushes[1].mask_blur: -1.0 is not a number >= 0 (pixels)") { brush(&$0, 1, "mask_blur", -1) },
        Case(description: "prompt", expected: "brushes[0].prompt: is empty (a brush paints its prompt)") { brush(&$0, 0, "prompt", "  ") },
        Case(description: "prompt missing", expected: "brushes[2].prompt: is missing (required)") { brush(&$0, 2, "prompt", nil) },
        Case(description: "name", expected: "brushes[1].name: is empty") { brush(&$0, 1, "name", "") },
        Case(description: "colour", expected: "brushes[1].color: \"red\" is not a colour of the form #RRGGBB") { brush(&$0, 1, "color", "red") },
        Case(description: "unknown field",
             expected: "brushes[0].mask_alpah: unknown field (known here: color, mask, mask_alpha, mask_blur, name, negative_prompt, prompt, prompt_strength)") {
            brush(&$0, 0, "mask_alpah", 0.5)
        },
        Case(description: "mask form",
             expected: "brushes[0].mask: an image is either {\"file\": \"path.png\"} or {\"data\": \"data:image/png;base64,...\"}") {
            brush(&$0, 0, "mask", ["file": "a.png", "data": "data:image/png;base64,"])
        },
        Case(description: "mask data URL",
             expected: "brushes[1].mask.data: expected a PNG data URL starting with \"data:image/png;base64,\", got \"data:image/jpeg;base64,AAAA...\"") {
            brush(&$0, 1, "mask", ["data": "data:image/jpeg;base64,AAAA"])
        },
        Case(description: "scheduler", expected: "schedule.scheduler: \"dpm\" is not one of \"lcm\", \"ddim\", \"euler\"") {
            $0["schedule"] = ["scheduler": "dpm"]
        },
        Case(description: "slot order", expected: "schedule.slots[2]: 4 does not follow 4 (slots increase strictly)") {
            $0["schedule"] = ["slots": [0, 4, 4]]
        },
        Case(description: "slot range", expected: "schedule.slots[1]: 8 is outside 0..<8 (the grid has 8 steps)") {
            $0["schedule"] = ["steps": 8, "slots": [0, 8]]
        },
        Case(description: "steps", expected: "schedule.steps: 0 is outside 1...1000") { $0["schedule"] = ["steps": 0] },
        Case(description: "quantization", expected: "quantization: \"soft\" is not one of \"discrete\", \"continuous\"") { $0["quantization"] = "soft" },
        Case(description: "guidance", expected: "guidance: -2.0 is not a number >= 0") { $0["guidance"] = -2 },
        Case(description: "bootstrap", expected: "bootstrap_steps: -1 is negative") { $0["bootstrap_steps"] = -1 },
        Case(description: "lora", expected: "loras[0].path: is missing (required)") { $0["loras"] = [["scale": 1]] },
        Case(description: "background", expected: "background.negative_prompt: expected a string") { $0["background"] = ["negative_prompt": 3] },
    ]

    @Test(arguments: cases) func reportsTheField(_ testCase: Case) throws {
        var object = try PaletteTestSupport.exampleObject()
        testCase.change(&object)
        do {
            let palette = try PaletteTestSupport.decode(object)
            Issue.record("decoded \(palette.brushes.count) brushes; expected: \(testCase.expected)")
        } catch let error as PaletteError {
            #expect(error.description == testCase.expected)
        }
    }

    @Test func rejectsInvalidJSON() throws {
        #expect(throws: PaletteError.self) { try Palette.decode(data: Data("{\"version\": 1,".utf8), baseFolder: nil) }
        do {
            _ = try Palette.decode(data: Data("[1, 2]".utf8), baseFolder: nil, source: "list.json")
            Issue.record("a list decoded as a palette")
        } catch let error as PaletteError {
            #expect(error.description.hasPrefix("list.json is not a palette"), "\(error)")
        }
        let missing = "/nonexistent/palette.json"
        #expect(throws: PaletteError.unreadableFile(path: missing, reason: "no such file")) { try Palette.load(path: missing) }
    }

    @Test func validatesPalettesBuiltInCode() throws {
        var palette = try Palette.load(path: PaletteTestSupport.examplePath)
        palette.brushes[1].maskAlpha = 1.5
        #expect(throws: PaletteError.invalidField(path: "brushes[1].mask_alpha", reason: "1.5 is outside 0...1")) { try palette.validate() }
        let folder = try PaletteTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bad.json").path
        #expect(throws: PaletteError.self) { try palette.write(to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
