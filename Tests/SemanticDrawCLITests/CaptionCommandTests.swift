import Foundation
import Testing

/// `semantic-draw caption` on the built executable with the tiny BLIP-2 of Tests/Fixtures/blip2
/// (Tools/make_blip2_fixtures.py, transformers 5.24.0): `--json` prints the new ids of
/// transformers' greedy `generate` and their decoded text, for a prompt and for no prompt.
@Suite struct CaptionCommandTests {
    static let fixtures = ForwardCommandTests.repository.appendingPathComponent("Tests/Fixtures/blip2").path

    struct Generation: Decodable {
        let image: String
        let prompt: String?
        let maxNewTokens: Int
        let eosTokenId: Int?
        let newIds: [Int]
        let text: String
        enum CodingKeys: String, CodingKey {
            case image, prompt, text
            case maxNewTokens = "max_new_tokens", eosTokenId = "eos_token_id", newIds = "new_ids"
        }
    }

    struct Reference: Decodable { let generations: [Generation] }

    struct Output: Decodable, Equatable {
        let ids: [Int]
        let text: String
    }

    @Test func jsonIdsMatchTransformers() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ForwardCommandTests.executable.path), "build the executable first: swift build --build-tests")
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/reference.json"))
        let reference = try JSONDecoder().decode(Reference.self, from: data)
        let cases = reference.generations.filter { $0.eosTokenId == nil }
        #expect(cases.count >= 4 && cases.contains { $0.prompt == nil })
        for generation in cases {
            var arguments = ["caption", Self.fixtures + "/images/" + generation.image, "--model", Self.fixtures + "/model",
                             "--max-new-tokens", String(generation.maxNewTokens), "--json"]
            if let prompt = generation.prompt { arguments += ["--prompt", prompt] } else { arguments.append("--no-prompt") }
            let run = try ForwardCommandTests.run(arguments)
            #expect(run.status == 0, "stderr: \(run.error)")
            let output = try JSONDecoder().decode(Output.self, from: Data(run.output.utf8))
            #expect(output == Output(ids: generation.newIds, text: generation.text), "\(generation.image)")
        }
    }

    @Test func tinyRandomCaptionsOffline() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ForwardCommandTests.executable.path))
        let run = try ForwardCommandTests.run(["caption", Self.fixtures + "/images/rgb-large.png", "--model", "tiny-random", "--json"])
        #expect(run.status == 0, "stderr: \(run.error)")
        let output = try JSONDecoder().decode(Output.self, from: Data(run.output.utf8))
        #expect(!output.ids.isEmpty && output.ids.count <= 77)
        #expect(run.error.contains("random weights"))
    }

    @Test func unreadableImageFails() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ForwardCommandTests.executable.path))
        let run = try ForwardCommandTests.run(["caption", Self.fixtures + "/reference.json", "--model", "tiny-random"])
        #expect(run.status != 0)
        #expect(run.error.contains("reference.json"))
    }
}
