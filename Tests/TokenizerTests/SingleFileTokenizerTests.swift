import Testing
import Tokenizer

/// The bundled CLIP ViT-L/14 tokenizer for single-file checkpoints: SD1.x pads with
/// `<|endoftext|>` (49407), SD2.x with `!` (id 0 in CLIP's vocab.json), as the tokenizer folders
/// of runwayml/stable-diffusion-v1-5 and stabilityai/stable-diffusion-2-1 do.
@Suite struct SingleFileTokenizerTests {
    @Test func padTokenOverride() throws {
        let sd1 = try CLIPTokenizer.bundledCLIP()
        let sd2 = try CLIPTokenizer.bundledCLIP(padToken: "!")
        #expect(sd1.padTokenId == 49407)
        #expect(sd2.padTokenId == 0 && sd2.id(of: "!") == 0)
        #expect(sd2.startTokenId == sd1.startTokenId && sd2.endTokenId == sd1.endTokenId)
        let prompt = "a photo of a cat"
        let padded1 = sd1(prompt).ids, padded2 = sd2(prompt).ids
        let length = sd1(prompt, padding: false).ids.count
        #expect(Array(padded1.prefix(length)) == Array(padded2.prefix(length)))
        #expect(padded1.dropFirst(length).allSatisfy { $0 == 49407 } && padded2.dropFirst(length).allSatisfy { $0 == 0 })
    }
}
