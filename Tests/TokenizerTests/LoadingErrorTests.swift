import Foundation
import Testing
import Tokenizer

/// Broken tokenizer folders: every one gives a ``TokenizerError`` whose message names the file
/// (and the key, line or value). Where transformers 5.24 also refuses the folder its message
/// is quoted; where it accepts one, the difference is said.
@Suite struct LoadingErrorTests {
    /// A temporary copy of the fixture with `edit` applied, loaded; returns the error.
    private func loadingError(sourceLocation: SourceLocation = #_sourceLocation,
                              _ edit: (String) throws -> Void) throws -> (TokenizerError?, String) {
        let folder = try TokenizerFixtures.copyOfFixture()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try edit(folder)
        let error = #expect(throws: TokenizerError.self, sourceLocation: sourceLocation) { try CLIPTokenizer(folder: folder) }
        return (error, error.map { String(describing: $0) } ?? "")
    }

    private func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func replaceInFile(_ path: String, _ target: String, with replacement: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(target))
        try write(text.replacingOccurrences(of: target, with: replacement), to: path)
    }

    /// merges.txt with `line` inserted before line 6 of the file (after 4 merges).
    private func insertMergeLine(_ line: String, in folder: String) throws {
        var lines = try String(contentsOfFile: folder + "/merges.txt", encoding: .utf8).components(separatedBy: "\n")
        lines.insert(line, at: 5)
        try write(lines.joined(separator: "\n"), to: folder + "/merges.txt")
    }

    // MARK: Folders and files

    @Test func folderThatDoesNotExist() {
        let error = #expect(throws: TokenizerError.self) { try CLIPTokenizer(folder: "/nonexistent/sd15") }
        #expect(error == .folderNotFound(path: "/nonexistent/sd15"))
        #expect(error?.description.contains("/nonexistent/sd15") == true)
    }

    @Test func pipelineFolderWithoutTokenizerSubfolder() throws {
        let pipeline = try TokenizerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: pipeline) }
        try FileManager.default.createDirectory(atPath: pipeline + "/unet", withIntermediateDirectories: true)
        let error = #expect(throws: TokenizerError.self) { try CLIPTokenizer(folder: pipeline) }
        #expect(error == .notATokenizerFolder(path: pipeline, subfolder: "tokenizer"))
        #expect(error?.description.contains("neither vocab.json nor a tokenizer/ folder") == true)
    }

    @Test func emptyTokenizerSubfolder() throws {
        let pipeline = try TokenizerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: pipeline) }
        try FileManager.default.createDirectory(atPath: pipeline + "/tokenizer", withIntermediateDirectories: true)
        let error = #expect(throws: TokenizerError.self) { try CLIPTokenizer(folder: pipeline) }
        #expect(error == .missingFile(path: pipeline + "/tokenizer/vocab.json"))
    }

    @Test func missingVocabulary() throws {
        let (error, message) = try loadingError { try FileManager.default.removeItem(atPath: $0 + "/vocab.json") }
        guard case .missingFile(let path)? = error else { Issue.record("got \(message)"); return }
        #expect(path.hasSuffix("/vocab.json"))
        #expect(message.contains("vocab.json not found"))
    }

    @Test func missingMerges() throws {
        let (error, message) = try loadingError { try FileManager.default.removeItem(atPath: $0 + "/merges.txt") }
        guard case .missingFile(let path)? = error else { Issue.record("got \(message)"); return }
        #expect(path.hasSuffix("/merges.txt"))
    }

    /// Without tokenizer_config.json and special_tokens_map.json transformers uses CLIPTokenizer's
    /// defaults, and so do we.
    @Test func configurationFilesAreOptional() throws {
        let folder = try TokenizerFixtures.copyOfFixture()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.removeItem(atPath: folder + "/tokenizer_config.json")
        try FileManager.default.removeItem(atPath: folder + "/special_tokens_map.json")
        let tokenizer = try CLIPTokenizer(folder: folder)
        #expect(tokenizer.padTokenId == 49407)
        #expect(tokenizer.modelMaximumLength == nil)
    }

    // MARK: vocab.json

    /// transformers: "Error while initializing BPE: Bad vocabulary json file".
    @Test func vocabularyThatIsAnArray() throws {
        let (error, message) = try loadingError { try write("[1, 2]", to: $0 + "/vocab.json") }
        guard case .malformedVocabulary(let file, _)? = error else { Issue.record("got \(message)"); return }
        #expect(file.hasSuffix("/vocab.json"))
        #expect(message.contains("does not start with '{'"))
    }

    @Test func vocabularyWithFractionalId() throws {
        let (error, message) = try loadingError { try replaceInFile($0 + "/vocab.json", "\"!\": 0,", with: "\"!\": 0.5,") }
        guard case .malformedVocabulary? = error else { Issue.record("got \(message)"); return }
        #expect(message.contains("vocab.json"))
        #expect(message.contains("the id of \"!\" is 0.5"))
        #expect(message.contains("line 1"))
    }

    /// transformers skips entries whose id is a string (and then fails on merges); we refuse them.
    @Test func vocabularyWithStringId() throws {
        let (_, message) = try loadingError { try replaceInFile($0 + "/vocab.json", "\"cat</w>\": 2368,", with: "\"cat</w>\": \"2368\",") }
        #expect(message.contains("the id of \"cat</w>\" is \"2368\""))
    }

    @Test func vocabularyWithNegativeId() throws {
        let (_, message) = try loadingError { try replaceInFile($0 + "/vocab.json", "\"cat</w>\": 2368,", with: "\"cat</w>\": -1,") }
        #expect(message.contains("the id of \"cat</w>\" is -1, not a non-negative integer"))
    }

    /// transformers: "EOF while parsing an object at line 1 column 1017".
    @Test func truncatedVocabulary() throws {
        let (_, message) = try loadingError { folder in
            let text = try String(contentsOfFile: folder + "/vocab.json", encoding: .utf8)
            try write(String(text.prefix(1000)), to: folder + "/vocab.json")
        }
        #expect(message.contains("vocab.json"))
        #expect(message.contains("truncated"))
    }

    @Test func vocabularyThatIsNotUTF8() throws {
        let (error, message) = try loadingError { folder in
            try Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x20, 0x30, 0x7D]).write(to: URL(fileURLWithPath: folder + "/vocab.json"))
        }
        guard case .unreadableFile? = error else { Issue.record("got \(message)"); return }
        #expect(message.contains("not valid UTF-8"))
    }

    /// The same vocabulary with every non-ASCII character written as a `\u` escape (surrogate
    /// pairs included) loads to the same tokenizer.
    @Test func vocabularyWithUnicodeEscapes() throws {
        let folder = try TokenizerFixtures.copyOfFixture()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = try String(contentsOfFile: folder + "/vocab.json", encoding: .utf8)
        var escapedText = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 {
                escapedText.unicodeScalars.append(scalar)
            } else {
                for unit in String(scalar).utf16 { escapedText += String(format: "\\u%04x", unit) }
            }
        }
        escapedText += "\n"
        try write(escapedText.replacingOccurrences(of: "\"!\": 0,", with: "\"\\u0021\" : 0 ,"), to: folder + "/vocab.json")
        let tokenizer = try CLIPTokenizer(folder: folder)
        let original = try TokenizerFixtures.tokenizer.get()
        for prompt in ["caf\u{e9} \u{1F431}\u{1F44D}\u{1F3FD} \u{732B} hello!!", "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"] {
            #expect(tokenizer(prompt) == original(prompt))
        }
        #expect(tokenizer.vocabularySize == original.vocabularySize)
    }

    // MARK: merges.txt

    /// transformers: "Merges text file invalid at line 5" (it counts merges, not file lines).
    @Test func mergesLineWithThreeTokens() throws {
        let (error, message) = try loadingError { try insertMergeLine("a b c", in: $0) }
        guard case .malformedMergesLine(let file, let line, let content)? = error else { Issue.record("got \(message)"); return }
        #expect(file.hasSuffix("/merges.txt"))
        #expect(line == 6)
        #expect(content == "a b c")
        #expect(message.contains("merges.txt line 6"))
    }

    @Test func emptyMergesLine() throws {
        let (error, _) = try loadingError { try insertMergeLine("", in: $0) }
        guard case .malformedMergesLine(_, let line, let content)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(line == 6 && content == "")
    }

    @Test func mergesLineWithTrailingSpace() throws {
        let (error, message) = try loadingError { try insertMergeLine("h e ", in: $0) }
        guard case .malformedMergesLine(_, 6, "h e ")? = error else { Issue.record("got \(message)"); return }
        #expect(message.contains("\"h e \""))
    }

    /// transformers: "Token `zzzq` out of vocabulary".
    @Test func mergeOfUnknownToken() throws {
        let (error, message) = try loadingError { try insertMergeLine("zzzq x", in: $0) }
        guard case .mergeTokenNotInVocabulary(let file, 6, "zzzq")? = error else { Issue.record("got \(message)"); return }
        #expect(file.hasSuffix("/merges.txt"))
    }

    /// transformers: "Token `xq` out of vocabulary" (the merged token must exist too).
    @Test func mergeIntoUnknownToken() throws {
        let (error, message) = try loadingError { try insertMergeLine("x q", in: $0) }
        guard case .mergeTokenNotInVocabulary(_, 6, "xq")? = error else { Issue.record("got \(message)"); return }
    }

    /// Like tokenizers, only `#version` lines are skipped: another `#` line is a merge.
    @Test func commentLineIsAMerge() throws {
        let (error, message) = try loadingError { try insertMergeLine("# hello", in: $0) }
        guard case .mergeTokenNotInVocabulary(_, 6, "#hello")? = error else { Issue.record("got \(message)"); return }
    }

    /// CRLF line ends and a missing `#version` header are accepted, as by tokenizers.
    @Test func mergesWithCRLFAndNoHeader() throws {
        let folder = try TokenizerFixtures.copyOfFixture()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let lines = try String(contentsOfFile: folder + "/merges.txt", encoding: .utf8).components(separatedBy: "\n")
        try write(lines.dropFirst().joined(separator: "\r\n"), to: folder + "/merges.txt")
        let tokenizer = try CLIPTokenizer(folder: folder)
        #expect(tokenizer("a photographer's photo", padding: false) == (try TokenizerFixtures.tokenizer.get())("a photographer's photo", padding: false))
    }

    // MARK: Special tokens and configuration

    /// transformers would append `<|endoftext|>` as a new added token; we require it in the vocabulary.
    @Test func specialTokenMissingFromVocabulary() throws {
        let (error, message) = try loadingError { try replaceInFile($0 + "/vocab.json", ", \"<|endoftext|>\": 49407}", with: "}") }
        guard case .specialTokenNotInVocabulary(let file, "eos_token", "<|endoftext|>")? = error else { Issue.record("got \(message)"); return }
        #expect(file.hasSuffix("special_tokens_map.json"))
    }

    @Test func padTokenMissingFromVocabulary() throws {
        let (error, message) = try loadingError { try replaceInFile($0 + "/special_tokens_map.json", "\"pad_token\": \"<|endoftext|>\"", with: "\"pad_token\": \"<pad>\"") }
        guard case .specialTokenNotInVocabulary(_, "pad_token", "<pad>")? = error else { Issue.record("got \(message)"); return }
        #expect(message.contains("pad_token \"<pad>\" is not in the vocabulary"))
    }

    @Test func specialTokenOfWrongType() throws {
        let (error, message) = try loadingError { try replaceInFile($0 + "/special_tokens_map.json", "\"pad_token\": \"<|endoftext|>\"", with: "\"pad_token\": 5") }
        guard case .malformedConfiguration(let file, "pad_token", _)? = error else { Issue.record("got \(message)"); return }
        #expect(file.hasSuffix("special_tokens_map.json"))
        #expect(message.contains("found 5"))
    }

    @Test func configurationThatIsNotJSON() throws {
        let (error, message) = try loadingError { try write("{\"model_max_length\": 77,", to: $0 + "/tokenizer_config.json") }
        guard case .malformedConfiguration(let file, _, _)? = error else { Issue.record("got \(message)"); return }
        #expect(file.hasSuffix("tokenizer_config.json"))
        #expect(message.contains("not valid JSON"))
    }

    @Test func unsupportedStripOption() throws {
        let (error, message) = try loadingError {
            try replaceInFile($0 + "/special_tokens_map.json", "\"pad_token\": \"<|endoftext|>\"",
                              with: "\"pad_token\": {\"content\": \"<|endoftext|>\", \"lstrip\": true}")
        }
        guard case .unsupportedConfiguration(_, "pad_token.lstrip", "true")? = error else { Issue.record("got \(message)"); return }
    }
}
