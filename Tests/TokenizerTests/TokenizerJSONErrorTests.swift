import Foundation
import Testing
import Tokenizer

/// Broken `tokenizer.json` files: each error names the file and the key path.
@Suite struct TokenizerJSONErrorTests {
    /// A tiny valid CLIP-style BPE `tokenizer.json`. Each line of `model` replaces the model field
    /// of the same name (`"vocab": -` removes it); `addedTokens` is the `added_tokens` array.
    private func tinyFile(model: String = "", addedTokens: String = "[]") -> String {
        let fields = [
            "\"type\": \"BPE\"", "\"unk_token\": \"<|endoftext|>\"", "\"end_of_word_suffix\": \"</w>\"",
            "\"vocab\": {\"a\": 0, \"b\": 1, \"a</w>\": 2, \"b</w>\": 3, \"ab</w>\": 4, \"<|startoftext|>\": 5, \"<|endoftext|>\": 6}",
            "\"merges\": [\"a b</w>\"]",
        ]
        var byName: [String: String] = [:]
        for field in fields { byName[String(field.split(separator: ":")[0])] = field }
        for field in model.components(separatedBy: "\n") where !field.isEmpty {
            let name = String(field.split(separator: ":")[0])
            byName[name] = field.hasSuffix(": -") ? nil : field
        }
        let order = ["\"type\"", "\"unk_token\"", "\"end_of_word_suffix\"", "\"vocab\"", "\"merges\""]
        let modelText = (order.compactMap { byName[$0] } + byName.filter { !order.contains($0.key) }.map(\.value)).joined(separator: ", ")
        return "{\"added_tokens\": \(addedTokens), \"model\": {\(modelText)}}"
    }

    private func loadingError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> TokenizerError? {
        let folder = try TokenizerJSONFixtures.folder(withTokenizerJSON: text)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return #expect(throws: TokenizerError.self, sourceLocation: sourceLocation) { try CLIPTokenizer(folder: folder) }
    }

    private func expectMalformed(_ error: TokenizerError?, key expectedKey: String, reason fragment: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        guard case let .malformedConfiguration(file, key, reason)? = error else {
            Issue.record("expected a malformed tokenizer.json error, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
        #expect(file.hasSuffix("/tokenizer.json"), sourceLocation: sourceLocation)
        #expect(key == expectedKey, sourceLocation: sourceLocation)
        #expect(reason.contains(fragment), "reason: \(reason)", sourceLocation: sourceLocation)
        #expect(String(describing: error!).contains("tokenizer.json: '\(expectedKey)'"), sourceLocation: sourceLocation)
    }

    /// The tiny file loads, with merges written either way.
    @Test func tinyFileLoads() throws {
        for merges in ["\"merges\": [\"a b</w>\"]", "\"merges\": [[\"a\", \"b</w>\"]]"] {
            let folder = try TokenizerJSONFixtures.folder(withTokenizerJSON: tinyFile(model: merges))
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let tokenizer = try CLIPTokenizer(folder: folder)
            #expect(tokenizer.encode("ab ba") == [4, 1, 2])
            #expect(tokenizer.padTokenId == 6 && tokenizer.startTokenId == 5)
        }
    }

    @Test func notJSON() throws {
        let error = try loadingError("{\"model\": ")
        expectMalformed(error, key: "(file)", reason: "JSON")
    }

    @Test func missingModel() throws {
        expectMalformed(try loadingError("{\"added_tokens\": []}"), key: "model", reason: "is missing")
    }

    @Test func missingVocabulary() throws {
        expectMalformed(try loadingError(tinyFile(model: "\"vocab\": -")), key: "model.vocab", reason: "is missing")
    }

    @Test func vocabularyThatIsAList() throws {
        expectMalformed(try loadingError(tinyFile(model: "\"vocab\": [[\"a\", 0]]")), key: "model.vocab", reason: "found an array")
    }

    @Test func vocabularyIdThatIsAString() throws {
        let error = try loadingError(tinyFile(model: "\"vocab\": {\"a\": \"0\", \"b\": 1}"))
        expectMalformed(error, key: "model.vocab[\"a\"]", reason: "found a string")
    }

    @Test func negativeVocabularyId() throws {
        let error = try loadingError(tinyFile(model: "\"vocab\": {\"a</w>\": -1}\n\"merges\": []"))
        expectMalformed(error, key: "model.vocab[\"a</w>\"]", reason: "-1")
    }

    @Test func mergeThatIsNeitherForm() throws {
        let error = try loadingError(tinyFile(model: "\"merges\": [\"a b</w>\", 5]"))
        expectMalformed(error, key: "model.merges[1]", reason: "must be a string \"left right\" or a pair [\"left\", \"right\"]")
        let triple = try loadingError(tinyFile(model: "\"merges\": [[\"a\", \"b\", \"c\"]]"))
        expectMalformed(triple, key: "model.merges[0]", reason: "or a pair")
        let threeParts = try loadingError(tinyFile(model: "\"merges\": [\"a b c\"]"))
        expectMalformed(threeParts, key: "model.merges[0]", reason: "found \"a b c\"")
    }

    @Test func mergeOfUnknownToken() throws {
        let error = try loadingError(tinyFile(model: "\"merges\": [\"a b</w>\", \"b a</w>\"]"))
        expectMalformed(error, key: "model.merges[1]", reason: "names \"ba</w>\", which is not in model.vocab")
    }

    @Test func modelThatIsNotBPE() throws {
        let error = try loadingError("{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", -1.0]], \"unk_id\": 0}}")
        guard case let .unsupportedConfiguration(file, "model.type", value)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file.hasSuffix("/tokenizer.json"))
        #expect(value.contains("\"Unigram\""))
    }

    /// A GPT-2 style BPE (no `</w>`) would tokenize differently.
    @Test func bytePairModelWithoutEndOfWordSuffix() throws {
        let error = try loadingError(tinyFile(model: "\"end_of_word_suffix\": -"))
        guard case .unsupportedConfiguration(_, "model.end_of_word_suffix", let value)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(value.hasPrefix("null"))
    }

    @Test func unsupportedModelOptions() throws {
        for (option, key) in [("\"byte_fallback\": true", "model.byte_fallback"), ("\"continuing_subword_prefix\": \"##\"", "model.continuing_subword_prefix"),
                              ("\"dropout\": 0.1", "model.dropout")] {
            let error = try loadingError(tinyFile(model: option))
            guard case .unsupportedConfiguration(_, key, _)? = error else { Issue.record("\(option): got \(String(describing: error))"); continue }
        }
    }

    @Test func addedTokenWithStripOption() throws {
        let error = try loadingError(tinyFile(addedTokens: "[{\"id\": 6, \"content\": \"<|endoftext|>\", \"lstrip\": true}]"))
        guard case .unsupportedConfiguration(_, "added_tokens[0].lstrip", "true")? = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func addedTokenWithoutContent() throws {
        expectMalformed(try loadingError(tinyFile(addedTokens: "[{\"id\": 6}]")), key: "added_tokens[0].content", reason: "is missing")
    }

    /// The configuration's pad token must be in model.vocab or added_tokens.
    @Test func padTokenMissingFromVocabulary() throws {
        let folder = try TokenizerJSONFixtures.folder(withTokenizerJSON: tinyFile())
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("{\"pad_token\": \"<pad>\"}".utf8).write(to: URL(fileURLWithPath: folder + "/tokenizer_config.json"))
        let error = #expect(throws: TokenizerError.self) { try CLIPTokenizer(folder: folder) }
        guard case .specialTokenNotInVocabulary(let file, "pad_token", "<pad>")? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file.hasSuffix("tokenizer_config.json"))
    }

    /// A folder with only tokenizer_config.json names the slow file it lacks (and says tokenizer.json would do).
    @Test func folderWithoutTables() throws {
        let folder = try TokenizerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/tokenizer_config.json"))
        let error = #expect(throws: TokenizerError.self) { try CLIPTokenizer(folder: folder) }
        #expect(error == .missingFile(path: folder + "/vocab.json"))
        #expect(error?.description.contains("or tokenizer.json") == true)
    }
}
