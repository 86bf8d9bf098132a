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

    static var cases: [String] {
        guard let data = FileManager.default.contents(atPath: folder + "/cases.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: [String]] else { return [] }
        return object.keys.sorted()
    }

    @Test(arguments: cases)
    func reproducesTheReference(name: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let data = try #require(FileManager.default.contents(atPath: Self.folder + "/cases.json"))
        let options = try #require((try JSONSerialization.jsonObject(with: data) as? [String: [String]])?[name])
        let resolved = options.map { $0.hasSuffix(".png") ? Self.folder + "/" + $0 : $0 }
        let output = CLI.temporaryPath("\(name).png")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try CLI.run(["generate", "--model", "tiny-random"] + resolved + ["--output", output])
        #expect(run.status == 0, "stderr: \(run.error)")
        let actual = try PNG.read(path: output)
        let expected = try PNG.read(path: Self.folder + "/\(name).png")
        #expect(actual.width == expected.width && actual.height == expected.height && actual.channels == expected.channels)
        var worst = 0, differing = 0
        for (left, right) in zip(actual.pixels, expected.pixels) {
            let difference = abs(Int(left) - Int(right))
            worst = max(worst, difference)
            if difference > 0 { differing += 1 }
        }
        print("generate \(name): max pixel difference \(worst), \(differing) of \(expected.pixels.count) samples differ")
        #expect(worst <= 1)
    }
}
