import Foundation
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
    static var cases: [String] { GenerateReproductionTests.caseNames(in: folder) ?? [] }

    @Test func fixtureCasesAreLoaded() throws {
        try GenerateReproductionTests.requireCases(in: Self.folder, atLeast: 4)
    }

    @Test(arguments: cases)
    func reproducesTheReference(name: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let options = try GenerateReproductionTests.options(name, in: Self.folder, fileSuffixes: [".png", ".safetensors"])
        let (worst, differing, total) = try GenerateReproductionTests.pixelDifference(generating: options, against: name, in: Self.folder)
        print("generate --accelerator hyper-sd \(name): max pixel difference \(worst), \(differing) of \(total) samples differ")
        #expect(worst <= 1)
    }
}
