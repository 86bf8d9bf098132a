import Captioning
import Testing

/// Greedy captions of the tiny BLIP-2 against transformers 5.24.0 `generate(do_sample=False)`:
/// the new ids (transformers returns the prompt first; only the new ones are compared) and their
/// text decoded with special tokens skipped and stripped, for several images and prompts (the
/// authors' question, another prompt, no prompt), and with an end token that stops generation
/// early (kept as the last id). Every greedy step in the reference had a top-1/top-2 logit
/// margin above 1e-3, so float32 rounding cannot flip a choice.
@Suite struct GenerationTests {
    @Test(arguments: CaptioningFixtures.reference?.generations ?? [])
    func idsMatchTransformers(_ generation: CaptioningFixtures.Generation) throws {
        let captioner = try CaptioningFixtures.captioner.get()
        #expect(try captioner.inputIds(prompt: generation.prompt) == generation.inputIds)
        let caption = try captioner.caption(try CaptioningFixtures.image(generation.image), prompt: generation.prompt,
                                            maximumNewTokens: generation.maximumNewTokens,
                                            endTokenIds: generation.endTokenId.map { [$0] })
        #expect(caption.ids == generation.newIds)
        #expect(caption.text == generation.text)
    }

    @Test func casesCoverStoppingAndPrompts() throws {
        let reference = try #require(CaptioningFixtures.reference)
        #expect(reference.generations.count >= 5)
        #expect(reference.generations.contains { $0.prompt == nil })
        #expect(reference.generations.contains { $0.endTokenId != nil && $0.newIds.count < $0.maximumNewTokens })
        #expect(Set(reference.generations.map(\.newIds)).count >= 3, "the images must steer the ids")
        let captioner = try CaptioningFixtures.captioner.get()
        #expect(captioner.generation.endTokenIds == [reference.endTokenId])
    }
}
