import DiffusionModels
import Foundation
import Schedulers
import Testing
import Tokenizer

/// The exported tiny-random folder works with the tokenizer and scheduler loaders: its
/// byte-level vocabulary encodes any text without unknown tokens.
@Suite struct TinyRandomExportTests {
    @Test func exportedTokenizerAndSchedulerLoad() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-tiny-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TinyRandomModel.export(to: folder.path)
        let tokenizer = try CLIPTokenizer(folder: folder.path)
        let texts = ["a photo of a cat", "雪の中の狐 🦊 — naïve café", "👩🏽‍🚀\u{1F}\u{200B}tabs\tand\nnewlines", "<|endoftext|> typed", ""]
        for text in texts {
            let prompt = tokenizer(text, maximumLength: 77, padding: false)
            #expect(prompt.ids.first == TinyRandomVocabulary.startTokenId)
            #expect(prompt.ids.last == TinyRandomVocabulary.endTokenId)
            let inner = prompt.ids.dropFirst().dropLast()
            if !text.contains("<|endoftext|>") {
                #expect(inner.allSatisfy { $0 < 512 }, "\(text): \(prompt.ids)")
            }
        }
        let scheduler = try SchedulerConfiguration(folder: folder.path)
        #expect(scheduler.className == "LCMScheduler")
    }
}
