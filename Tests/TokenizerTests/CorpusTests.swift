import Testing
import Tokenizer

/// The whole corpus of `reference.json` (639 prompts: ordinary prompts, NFC and decomposed
/// text, emoji with ZWJ and skin tones, CJK, Arabic, Cyrillic and more scripts, punctuation and
/// whitespace runs, numbers, contractions, special tokens typed literally, long prompts, and
/// seeded random mixes) must give exactly transformers 5.24 `CLIPTokenizer`'s ids and tokens,
/// with start/end tokens, truncated to 77, unpadded.
@Suite struct CorpusTests {
    static let cases: [ReferenceCase] = TokenizerFixtures.reference?.cases ?? []

    @Test func corpusIsLoadedAndLarge() throws {
        let reference = try #require(TokenizerFixtures.reference, "cannot read Tests/Fixtures/clip-tokenizer/reference.json")
        #expect(reference.cases.count >= 500)
        #expect(reference.versions["transformers"] == "5.24.0")
        #expect(reference.maximumLength == 77)
        #expect(reference.cases.contains { $0.untruncatedLength > 77 }, "the corpus must have truncated prompts")
    }

    @Test(arguments: cases)
    func matchesTransformers(_ reference: ReferenceCase) throws {
        let tokenizer = try TokenizerFixtures.tokenizer.get()
        let result = tokenizer(reference.text, maximumLength: 77, padding: false)
        #expect(result.ids == reference.ids, "ids of \(escaped(reference.text))")
        #expect(result.tokens == reference.tokens, "tokens of \(escaped(reference.text))")
        #expect(result.count == reference.ids.count)
        #expect(result.untruncatedCount == reference.untruncatedLength, "untruncated length of \(escaped(reference.text))")
        #expect(result.truncated == (reference.untruncatedLength > 77))
        // encode() is the same ids without the start and end tokens, untruncated.
        let encoded = tokenizer.encode(reference.text)
        #expect(encoded.count == reference.untruncatedLength - 2)
        #expect(Array(encoded.prefix(75)) == Array(reference.ids.dropFirst().dropLast()))
    }
}
