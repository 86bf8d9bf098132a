import Foundation
import Testing

/// Plain text-to-image — `semantic-draw generate` with one `--prompt` and no `--mask` — against
/// images diffusers' own pipelines made (Tools/make_text_to_image_fixtures.py, diffusers 0.42.1):
/// `StableDiffusionPipeline` / `StableDiffusionXLPipeline` loaded from the exported built-in
/// model, with the scheduler of the case's preset (LCM on the default and on explicit slots with
/// CFG, a negative prompt and TAESD; DDIM "trailing" for hyper-sd; Euler "trailing" for the SDXL
/// lightning preset), the same prompt, size, guidance and `torch.Generator().manual_seed(seed)`.
/// The whole command must reproduce them to float32 round-off: at most one level of 255 per
/// sample, as the region paths (GenerateReproductionTests). The region path with an all-white
/// mask and the default bootstrapping differs from these images by up to 155 levels, so the
/// comparison tells the two paths apart.
@Suite struct TextToImageReproductionTests {
    typealias CLI = ForwardCommandTests
    static let folder = CLI.repository.appendingPathComponent("Tests/Fixtures/text-to-image").path

    /// cases.json: case name -> the full `generate` options (from `--model` on).
    static var cases: [String] { GenerateReproductionTests.caseNames(in: folder) ?? [] }

    @Test func fixtureCasesAreLoaded() throws {
        try GenerateReproductionTests.requireCases(in: Self.folder, atLeast: 4)
    }

    @Test(arguments: cases)
    func reproducesDiffusers(name: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let options = try GenerateReproductionTests.options(name, in: Self.folder, fileSuffixes: [".png"])
        #expect(!options.contains("--mask"), "a text-to-image case has no mask")
        let (worst, differing, total) = try GenerateReproductionTests.pixelDifference(generating: options, against: name, in: Self.folder)
        print("generate (text-to-image) \(name): max pixel difference \(worst), \(differing) of \(total) samples differ")
        #expect(worst <= 1)
    }
}
