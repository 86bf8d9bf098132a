import Foundation
import ImageCodecs
import Testing

/// `semantic-draw generate --model tiny-random --accelerator hyper-sd` against images the pinned
/// Python reference (Tools/reference_semantic_draw.py over diffusers 0.42.1, the Hyper-SD preset of
/// docs/REFERENCE_PIPELINE.md R14) made from the same options, mask PNGs, LoRA files and seed
/// (Tools/make_hyper_sd_fixtures.py): a tiny random LoRA in the kohya or the diffusers/PEFT layout
/// fused with diffusers (`load_lora_weights`, `fuse_lora`, scale 1); 1 step with
/// `TCDScheduler.from_config(model config)` (eta 1.0, or `--eta`), 2 and 4 steps with
/// `DDIMScheduler.from_config(model config, timestep_spacing: "trailing")` (eta 0); guidance 0;
/// the background fill of R14. The whole command - options, LoRA loading and fusion, masks,
/// tokenizer, seeded noise, schedulers, region loop, decoder, PNG - must reproduce them to float32
/// round-off: at most one level of 255 per sample, as the LCM path (GenerateReproductionTests).
@Suite struct HyperSDReproductionTests {
    typealias CLI = ForwardCommandTests
    static let folder = CLI.repository.appendingPathComponent("Tests/Fixtures/hyper-sd").path

    /// cases.json: case name -> the full `generate` options (from `--model tiny-random` on; file
    /// names relative to the fixture folder).
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
        let resolved = options.map { $0.hasSuffix(".png") || $0.hasSuffix(".safetensors") ? Self.folder + "/" + $0 : $0 }
        let output = CLI.temporaryPath("\(name).png")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try CLI.run(["generate"] + resolved + ["--output", output])
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
        print("generate --accelerator hyper-sd \(name): max pixel difference \(worst), \(differing) of \(expected.pixels.count) samples differ")
        #expect(worst <= 1)
    }
}
