import Foundation
import Testing

/// `semantic-draw generate --model tiny-random-xl --accelerator lightning --accelerator-lora FILE`
/// against the images the authors' SDXL one-shot pipeline (`SemanticDrawSDXLPipeline` of
/// sontyubo/semantic-draw at 98dab24, constructor defaults, CPU float32) computed for the same
/// model, tiny random Lightning LoRA, masks, options and seed
/// (Tools/compare_with_authors_sdxl.py --write-fixtures; Tests/Fixtures/sdxl-authors/README.md
/// lists the patches and measured differences; docs/REPRODUCTION.md explains each). Their float
/// pixels are rounded to nearest as ours are; cases with bootstrapping use our stand-in for the
/// white latent their constructor sampled before any seed (REFERENCE_PIPELINE.md R13).
@Suite struct SDXLReproductionTests {
    typealias CLI = ForwardCommandTests
    static let folder = CLI.repository.appendingPathComponent("Tests/Fixtures/sdxl-authors").path
    static var cases: [String] { GenerateReproductionTests.caseNames(in: folder) ?? [] }

    @Test func fixtureListIsReadable() throws {
        try GenerateReproductionTests.requireCases(in: Self.folder, atLeast: 4)
        #expect(Self.cases.count >= 4, "Tests/Fixtures/sdxl-authors/cases.json is missing or unreadable")
    }

    @Test(arguments: cases)
    func reproducesTheAuthorsPipeline(name: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let options = try GenerateReproductionTests.options(name, in: Self.folder, fileSuffixes: [".png", ".safetensors"])
        let (worst, differing, total) = try GenerateReproductionTests.pixelDifference(generating: options, against: name, in: Self.folder)
        print("generate (SDXL, authors) \(name): max pixel difference \(worst), \(differing) of \(total) samples differ")
        #expect(worst <= 2)
    }
}
