import Foundation
import ImageCodecs
import Testing

/// `semantic-draw generate --model tiny-random` against images the pinned Python reference
/// (Tools/reference_semantic_draw.py over diffusers) made from the same options, mask PNGs and
/// seed (Tools/make_generate_fixtures.py): the whole command - options, palette, masks,
/// tokenizer, seeded noise, pipeline, decoder (VAE or TAESD), PNG - must reproduce them to
/// float32 round-off (a pixel level at most, where a value sits on a rounding edge).
@Suite struct GenerateReproductionTests {
    typealias CLI = ForwardCommandTests
    static let folder = CLI.repository.appendingPathComponent("Tests/Fixtures/generate").path

    static var cases: [String] { caseNames(in: folder) ?? [] }

    /// The case names of `folder/cases.json` (case name -> `generate` options), sorted; nil when
    /// the file cannot be read or is not such an object. The parameterised tests then have no
    /// arguments and would pass silently, so every suite has a test that requires the list
    /// (``requireCases(in:atLeast:)``), as the tokenizer's CorpusTests do.
    static func caseNames(in folder: String) -> [String]? {
        guard let data = FileManager.default.contents(atPath: folder + "/cases.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: [String]] else { return nil }
        return object.keys.sorted()
    }

    /// Fails unless `folder/cases.json` is readable and lists at least `minimum` cases.
    static func requireCases(in folder: String, atLeast minimum: Int) throws {
        let names = try #require(caseNames(in: folder), "cannot read \(folder)/cases.json (case name -> generate options)")
        #expect(names.count >= minimum, "\(folder)/cases.json lists \(names.count) cases, expected at least \(minimum)")
    }

    @Test func fixtureCasesAreLoaded() throws {
        try Self.requireCases(in: Self.folder, atLeast: 3)
    }

    /// The options of case `name` in `folder/cases.json`, fixture file names made absolute.
    static func options(_ name: String, in folder: String, fileSuffixes: [String]) throws -> [String] {
        let data = try #require(FileManager.default.contents(atPath: folder + "/cases.json"))
        let options = try #require((try JSONSerialization.jsonObject(with: data) as? [String: [String]])?[name])
        return options.map { option in fileSuffixes.contains(where: option.hasSuffix) ? folder + "/" + option : option }
    }

    /// Runs `generate` with `options`, and compares its PNG with `folder/<name>.png`: the largest
    /// sample difference and how many samples differ.
    static func pixelDifference(generating options: [String], against name: String, in folder: String) throws -> (worst: Int, differing: Int, total: Int) {
        let output = CLI.temporaryPath("\(name).png")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try CLI.run(["generate"] + options + ["--output", output])
        #expect(run.status == 0, "stderr: \(run.error)")
        let actual = try PNG.read(path: output)
        let expected = try PNG.read(path: folder + "/\(name).png")
        #expect(actual.width == expected.width && actual.height == expected.height && actual.channels == expected.channels)
        var worst = 0, differing = 0
        for (left, right) in zip(actual.pixels, expected.pixels) {
            let difference = abs(Int(left) - Int(right))
            worst = max(worst, difference)
            if difference > 0 { differing += 1 }
        }
        return (worst, differing, expected.pixels.count)
    }

    @Test(arguments: cases)
    func reproducesTheReference(name: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let options = try Self.options(name, in: Self.folder, fileSuffixes: [".png"])
        let (worst, differing, total) = try Self.pixelDifference(generating: ["--model", "tiny-random"] + options, against: name, in: Self.folder)
        print("generate \(name): max pixel difference \(worst), \(differing) of \(total) samples differ")
        #expect(worst <= 1)
    }
}
