import Foundation
import Testing

/// `semantic-draw generate --model tiny-random-sd3 --accelerator flash --accelerator-lora ADAPTER`
/// against the images the authors' SD3 one-shot pipeline (`SemanticDraw3Pipeline` of
/// sontyubo/semantic-draw at 98dab24, constructor defaults, CPU float32) computed for the same
/// model, tiny random PEFT adapter (in place of jasperai/flash-sd3), masks, options and seed
/// (Tools/compare_with_authors_sd3.py --write-fixtures; Tests/Fixtures/sd3-authors/README.md lists
/// the patches and measured differences; docs/REPRODUCTION.md, SD3 section, explains each). Their
/// float pixels are rounded to nearest as ours are; their encode subtracts the VAE shift as ours
/// (their omission is a bug we fix); cases with bootstrapping use our stand-in for the white
/// latent their constructor sampled before any seed (REFERENCE_PIPELINE.md R13). Tolerance 2/255.
@Suite struct SD3ReproductionTests {
    typealias CLI = ForwardCommandTests
    static let folder = CLI.repository.appendingPathComponent("Tests/Fixtures/sd3-authors").path
    static var cases: [String] { GenerateReproductionTests.caseNames(in: folder) ?? [] }

    @Test func fixtureListIsReadable() throws {
        try GenerateReproductionTests.requireCases(in: Self.folder, atLeast: 4)
        #expect(Self.cases.count >= 4, "Tests/Fixtures/sd3-authors/cases.json is missing or unreadable")
    }

    @Test(arguments: cases)
    func reproducesTheAuthorsPipeline(name: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let options = try GenerateReproductionTests.options(name, in: Self.folder, fileSuffixes: [".png", "flash-adapter"])
        let (worst, differing, total) = try GenerateReproductionTests.pixelDifference(generating: options, against: name, in: Self.folder)
        print("generate (SD3, authors) \(name): max pixel difference \(worst), \(differing) of \(total) samples differ")
        #expect(worst <= 2)
    }
}
