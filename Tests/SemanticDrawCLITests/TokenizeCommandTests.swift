import Foundation
import Testing

/// `semantic-draw tokenize` on the built executable, on folders as transformers 5 saves them
/// (`tokenizer.json` + `tokenizer_config.json` only): the pipeline-like fixture
/// `Tests/Fixtures/clip-tokenizer-json/` with `tokenizer/` and SDXL-style `tokenizer_2/`.
@Suite struct TokenizeCommandTests {
    static let fixture = ForwardCommandTests.repository.appendingPathComponent("Tests/Fixtures/clip-tokenizer-json").path

    @Test func tokenizesFromTokenizerJSON() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ForwardCommandTests.executable.path), "build the executable first: swift build --build-tests")
        let run = try ForwardCommandTests.run(["tokenize", "--model", Self.fixture, "a photo of a cat!!"])
        #expect(run.status == 0, "stderr: \(run.error)")
        #expect(run.output == "49406 320 1125 539 320 2368 748 49407\n8 tokens\n")
    }

    /// `--subfolder tokenizer_2`: SDXL's second tokenizer, where `!` is the pad token and so cut out.
    @Test func secondTokenizerWithSubfolder() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ForwardCommandTests.executable.path))
        let run = try ForwardCommandTests.run(["tokenize", "--model", Self.fixture, "--subfolder", "tokenizer_2", "--json", "a photo of a cat!!"])
        #expect(run.status == 0, "stderr: \(run.error)")
        #expect(run.output.hasPrefix("{\"ids\": [49406, 320, 1125, 539, 320, 2368, 0, 0, 49407], "))
        #expect(run.output.contains("\"count\": 9"))
    }

    @Test func missingSubfolderFails() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ForwardCommandTests.executable.path))
        let run = try ForwardCommandTests.run(["tokenize", "--model", Self.fixture, "--subfolder", "tokenizer_3", "a cat"])
        #expect(run.status != 0)
        #expect(run.error.contains("tokenizer_3/"))
    }
}
