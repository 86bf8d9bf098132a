import Foundation
import Testing
import Tokenizer

/// Special-token configurations other than the fixture's SD1.5 one, each rebuilt in a temporary
/// folder from `reference.json` (its two JSON files, the fixture's vocab.json and merges.txt) and
/// compared, padded to 77, with transformers 5.24 `CLIPTokenizer.from_pretrained` on the same
/// folder. Among them: pad `!` (id 0) for SD2.x and SDXL's `tokenizer_2`, where transformers
/// also cuts every typed `!` out as a special token, and AddedToken objects with
/// `normalized: true`, which match `<|STARTOFTEXT|>` in any case.
@Suite struct VariantTests {
    static let variants: [ReferenceVariant] = TokenizerFixtures.reference?.variants ?? []

    @Test func variantsAreLoaded() {
        #expect(Self.variants.count >= 5)
        #expect(Self.variants.contains { $0.padTokenId == 0 })
    }

    @Test(arguments: variants)
    func matchesTransformers(_ variant: ReferenceVariant) throws {
        let folder = try variant.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tokenizer = try CLIPTokenizer(folder: folder)
        #expect(tokenizer.padTokenId == variant.padTokenId)
        for reference in variant.cases {
            let result = tokenizer(reference.text)
            #expect(result.ids == reference.ids, "\(variant.name): ids of \(escaped(reference.text))")
            #expect(result.tokens == reference.tokens, "\(variant.name): tokens of \(escaped(reference.text))")
            #expect(result.count == reference.count, "\(variant.name): count of \(escaped(reference.text))")
            #expect(result.untruncatedCount == reference.untruncatedLength, "\(variant.name): untruncated length of \(escaped(reference.text))")
        }
    }

    @Test func sd2PadTokenIsTheExclamationMark() throws {
        let variant = try #require(Self.variants.first { $0.name == "sd2-style" })
        let folder = try variant.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tokenizer = try CLIPTokenizer(folder: folder)
        #expect(tokenizer.padTokenId == 0)
        let result = tokenizer("a photo of a cat")
        #expect(Array(result.ids.prefix(7)) == [49406, 320, 1125, 539, 320, 2368, 49407])
        #expect(result.ids.dropFirst(7).allSatisfy { $0 == 0 })
        #expect(result.tokens[7] == "!")
    }

    @Test func pipelineSubfolderIsFound() throws {
        let pipeline = try TokenizerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: pipeline) }
        try FileManager.default.createDirectory(atPath: pipeline + "/tokenizer", withIntermediateDirectories: true)
        _ = try TokenizerFixtures.copyOfFixture(into: pipeline + "/tokenizer")
        let tokenizer = try CLIPTokenizer(folder: pipeline)
        #expect(tokenizer.folder == pipeline + "/tokenizer")
        #expect(tokenizer("a photo of a cat", padding: false).ids == [49406, 320, 1125, 539, 320, 2368, 49407])
        // SDXL's second tokenizer sits in tokenizer_2/.
        try FileManager.default.moveItem(atPath: pipeline + "/tokenizer", toPath: pipeline + "/tokenizer_2")
        #expect(try CLIPTokenizer(folder: pipeline, subfolder: "tokenizer_2").vocabularySize == 49408)
    }
}
