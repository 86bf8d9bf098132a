import Testing
import Tokenizer

/// Truncation, padding and batching, against transformers 5.24 `CLIPTokenizer` behaviour
/// (`truncation=True, max_length=N, padding="max_length"`), and the loaded special tokens.
@Suite struct PaddingTests {
    @Test func specialTokensOfTheFixture() throws {
        let tokenizer = try TokenizerFixtures.tokenizer.get()
        #expect(tokenizer.startTokenId == 49406)
        #expect(tokenizer.endTokenId == 49407)
        #expect(tokenizer.padTokenId == 49407)
        #expect(tokenizer.unknownTokenId == 49407)
        #expect(tokenizer.modelMaximumLength == 77)
        #expect(tokenizer.vocabularySize == 49408)
        #expect(tokenizer.id(of: "cat</w>") == 2368)
        #expect(tokenizer.token(of: 2368) == "cat</w>")
        #expect(tokenizer.encode("a photo of a cat") == [320, 1125, 539, 320, 2368])
        #expect(tokenizer.tokenize("a photo of a cat") == ["a</w>", "photo</w>", "of</w>", "a</w>", "cat</w>"])
    }

    @Test func padsToMaximumLengthWithThePadToken() throws {
        let tokenizer = try TokenizerFixtures.tokenizer.get()
        let result = tokenizer("a photo of a cat")
        #expect(result.ids.count == 77)
        #expect(Array(result.ids.prefix(7)) == [49406, 320, 1125, 539, 320, 2368, 49407])
        #expect(result.ids.dropFirst(7).allSatisfy { $0 == 49407 })
        #expect(result.tokens.count == 77)
        #expect(result.tokens[76] == "<|endoftext|>")
        #expect(result.count == 7)
        #expect(result.untruncatedCount == 7)
        #expect(!result.truncated)
        #expect(result.attentionMask == Array(repeating: 1, count: 7) + Array(repeating: 0, count: 70))
    }

    @Test func noPaddingGivesTheUnpaddedIds() throws {
        let tokenizer = try TokenizerFixtures.tokenizer.get()
        let result = tokenizer("a photo of a cat", padding: false)
        #expect(result.ids == [49406, 320, 1125, 539, 320, 2368, 49407])
        #expect(result.attentionMask == Array(repeating: 1, count: 7))
    }

    @Test func truncationKeepsTheEndToken() throws {
        let tokenizer = try TokenizerFixtures.tokenizer.get()
        let text = Array(repeating: "cat", count: 100).joined(separator: " ")
        let result = tokenizer(text)
        #expect(result.ids.count == 77)
        #expect(result.ids.first == 49406)
        #expect(result.ids.last == 49407)
        #expect(result.ids.dropFirst().dropLast().allSatisfy { $0 == 2368 })
        #expect(result.count == 77)
        #expect(result.untruncatedCount == 102)
        #expect(result.truncated)
    }

    @Test func exactlyFullIsNotTruncated() throws {
        let tokenizer = try TokenizerFixtures.tokenizer.get()
        let text = Array(repeating: "cat", count: 75).joined(separator: " ")
        let result = tokenizer(text)
        #expect(result.count == 77 && result.untruncatedCount == 77 && !result.truncated)
        let over = tokenizer(text + " dog")
        #expect(over.count == 77 && over.untruncatedCount == 78 && over.truncated)
        #expect(over.ids[75] == 2368 && over.ids[76] == 49407)
    }

    /// transformers: max_length=4 -> [49406, 320, 1125, 49407]; padding to 6 with 49407;
    /// max_length 2 -> [49406, 49407]; max_length 0 or 1 -> no truncation at all.
    @Test func otherMaximumLengths() throws {
        let tokenizer = try TokenizerFixtures.tokenizer.get()
        #expect(tokenizer("a photo of a cat", maximumLength: 4).ids == [49406, 320, 1125, 49407])
        #expect(tokenizer("a photo", maximumLength: 6).ids == [49406, 320, 1125, 49407, 49407, 49407])
        #expect(tokenizer("a photo", maximumLength: 6).count == 4)
        #expect(tokenizer("a photo of a cat", maximumLength: 2).ids == [49406, 49407])
        #expect(tokenizer("a photo of a cat", maximumLength: 1).ids == [49406, 320, 1125, 539, 320, 2368, 49407])
        #expect(tokenizer("a photo of a cat", maximumLength: 0, padding: false).ids.count == 7)
        #expect(tokenizer("", maximumLength: 3).ids == [49406, 49407, 49407])
    }

    @Test func batchTokenizesEachPrompt() throws {
        let tokenizer = try TokenizerFixtures.tokenizer.get()
        let prompts = ["a photo of a cat", "", Array(repeating: "dog", count: 90).joined(separator: " ")]
        let batch = tokenizer(prompts)
        #expect(batch.count == 3)
        #expect(batch.allSatisfy { $0.ids.count == 77 })
        #expect(batch == prompts.map { tokenizer($0) })
        #expect(batch.map(\.truncated) == [false, false, true])
        let unpadded = tokenizer(prompts, maximumLength: 10, padding: false)
        #expect(unpadded.map(\.ids.count) == [7, 2, 10])
    }

    @Test func copiesShareResultsAcrossTasks() async throws {
        let tokenizer = try TokenizerFixtures.tokenizer.get()
        let expected = tokenizer("a photo of a cat, highly detailed").ids
        let results = await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<16 {
                group.addTask { tokenizer("a photo of a cat, highly detailed").ids }
            }
            var all: [[Int]] = []
            for await ids in group { all.append(ids) }
            return all
        }
        #expect(results.allSatisfy { $0 == expected })
    }
}
