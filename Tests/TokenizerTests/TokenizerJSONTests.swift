import Foundation
import Testing
import Tokenizer

/// Folders as transformers 5 saves them — `tokenizer.json` + `tokenizer_config.json`, no
/// `vocab.json`/`merges.txt` — compared with transformers 5.24 `CLIPTokenizer.from_pretrained`
/// on the same folders, and with the slow-file fixture on the whole corpus.
@Suite struct TokenizerJSONTests {
    static let folders: [TokenizerJSONFixtures.Folder] = TokenizerJSONFixtures.reference?.folders ?? []

    @Test func referenceIsLoaded() {
        #expect(Self.folders.map(\.subfolder) == ["tokenizer", "tokenizer_2"])
        #expect(Set(Self.folders.map(\.mergeForm)) == ["pairs", "strings"])
    }

    @Test(arguments: folders)
    func matchesTransformers(_ folder: TokenizerJSONFixtures.Folder) throws {
        let tokenizer = try TokenizerJSONFixtures.tokenizer(folder.subfolder)
        #expect(tokenizer.folder == TokenizerJSONFixtures.folder + "/" + folder.subfolder)
        #expect(tokenizer.padTokenId == folder.padTokenId)
        #expect(tokenizer.modelMaximumLength == folder.modelMaxLength)
        #expect(tokenizer.vocabularySize == 49408)
        for reference in folder.cases {
            let result = tokenizer(reference.text)
            #expect(result.ids == reference.ids, "\(folder.subfolder): ids of \(escaped(reference.text))")
            #expect(result.tokens == reference.tokens, "\(folder.subfolder): tokens of \(escaped(reference.text))")
            #expect(result.count == reference.count, "\(folder.subfolder): count of \(escaped(reference.text))")
            #expect(result.untruncatedCount == reference.untruncatedLength, "\(folder.subfolder): untruncated length of \(escaped(reference.text))")
        }
    }

    /// SDXL's second tokenizer: pad `!` (id 0), and every typed `!` is its own token.
    @Test func secondTokenizerPadsWithTheExclamationMark() throws {
        let tokenizer = try TokenizerJSONFixtures.tokenizer("tokenizer_2")
        #expect(tokenizer.padTokenId == 0)
        let result = tokenizer("wow!!!")
        #expect(Array(result.ids.prefix(6)) == [49406, 2781, 0, 0, 0, 49407])
        #expect(result.ids.dropFirst(6).allSatisfy { $0 == 0 })
        #expect(try TokenizerJSONFixtures.tokenizer("tokenizer")("wow!!!", padding: false).ids == [49406, 2781, 995, 49407])
    }

    /// The whole corpus of the slow-file fixture gives the same ids from tokenizer.json.
    @Test func sameIdsAsTheSlowFilesOnTheCorpus() throws {
        let cases = try #require(TokenizerFixtures.reference?.cases)
        let first = try TokenizerJSONFixtures.tokenizer("tokenizer")
        let second = try TokenizerJSONFixtures.tokenizer("tokenizer_2")
        let slowSecond = try CLIPTokenizer(folder: TokenizerFixtures.folder, padToken: "!")
        for reference in cases {
            #expect(first(reference.text, padding: false).ids == reference.ids, "ids of \(escaped(reference.text))")
            #expect(second(reference.text) == slowSecond(reference.text), "pad '!': \(escaped(reference.text))")
        }
    }

    /// The tokenizer folder itself can be passed, as well as the pipeline folder.
    @Test func tokenizerFolderItselfLoads() throws {
        let tokenizer = try CLIPTokenizer(folder: TokenizerJSONFixtures.folder + "/tokenizer_2")
        #expect(tokenizer.padTokenId == 0)
        #expect(tokenizer.id(of: "cat</w>") == 2368)
        #expect(tokenizer.token(of: 49407) == "<|endoftext|>")
    }

    /// With vocab.json and merges.txt next to tokenizer.json the slow files are read: here
    /// SDXL's tokenizer.json (added token `!`) beside SD1.5's slow files gives SD1.5's ids.
    @Test func slowFilesWinWhenBothArePresent() throws {
        let folder = try TokenizerFixtures.copyOfFixture()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: TokenizerJSONFixtures.folder + "/tokenizer_2/tokenizer.json", toPath: folder + "/tokenizer.json")
        #expect(try CLIPTokenizer(folder: folder)("wow!!!", padding: false).ids == [49406, 2781, 995, 49407])
        // Without merges.txt the folder is read from tokenizer.json (its added token `!` applies).
        try FileManager.default.removeItem(atPath: folder + "/merges.txt")
        #expect(try CLIPTokenizer(folder: folder)("wow!!!", padding: false).ids == [49406, 2781, 0, 0, 0, 49407])
    }

    /// An added token marked `normalized: true` in tokenizer.json is matched in any case, whatever
    /// tokenizer_config.json says (transformers 5.24.0 gives these ids for the same files).
    @Test func normalizedAddedTokensKeepTheirOption() throws {
        let configuration: [String: Any] = ["bos_token": ["content": "<|startoftext|>", "normalized": false], "model_max_length": 77]
        let folder = try TokenizerJSONFixtures.editedFolder(configuration: configuration) { object in
            object["added_tokens"] = [
                ["id": 49406, "content": "<|startoftext|>", "normalized": true, "special": true],
                ["id": 49407, "content": "<|endoftext|>", "normalized": true, "special": true],
            ]
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tokenizer = try CLIPTokenizer(folder: folder)
        #expect(tokenizer("<|STARTOFTEXT|>x<|endoftext|>", padding: false).ids == [49406, 49406, 343, 49407, 49407])
        #expect(tokenizer("<|EndOfText|>", padding: false).ids == [49406, 49407, 49407])
    }

    /// A configured special token that tokenizer.json's added_tokens lack is added, unnormalised
    /// (transformers 5.24.0: pad `!` then cuts every `!` out).
    @Test func configuredSpecialTokensAreAdded() throws {
        let folder = try TokenizerJSONFixtures.editedFolder(configuration: ["pad_token": "!"]) { $0["added_tokens"] = [] }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tokenizer = try CLIPTokenizer(folder: folder)
        #expect(tokenizer.padTokenId == 0)
        #expect(tokenizer("wow!!! a", padding: false).ids == [49406, 2781, 0, 0, 0, 320, 49407])
        #expect(tokenizer("<|STARTOFTEXT|>x<|endoftext|>", padding: false).ids == [49406, 27, 347, 993, 6659, 4160, 91, 285, 343, 49407, 49407])
    }

    /// Without tokenizer_config.json, CLIPTokenizer's default special tokens apply.
    @Test func configurationIsOptional() throws {
        let folder = try TokenizerJSONFixtures.editedFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tokenizer = try CLIPTokenizer(folder: folder)
        #expect(tokenizer.padTokenId == 49407)
        #expect(tokenizer.modelMaximumLength == nil)
        #expect(tokenizer("a photo of a cat", padding: false).ids == [49406, 320, 1125, 539, 320, 2368, 49407])
    }
}
