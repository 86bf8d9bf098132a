import Foundation
import Testing
import Tokenizer

/// `GPT2Tokenizer` against transformers 5.24.0 `GPT2Tokenizer` (tokenizers 0.23.3) on the tiny
/// OPT tokenizer of Tests/Fixtures/blip2/model (made by Tools/make_blip2_fixtures.py): ids with
/// the post-processor's `</s>`, tokens, and decoded text with and without special tokens, for
/// every corpus entry (spaces, newlines, contractions, unicode, emoji, typed special tokens), and
/// decoding of id lists with special tokens and invalid UTF-8.
@Suite struct GPT2TokenizerTests {
    struct EncodeCase: Decodable, Sendable, CustomTestStringConvertible {
        let text: String
        let ids: [Int]
        let tokens: [String]
        let decoded: String
        let decodedWithSpecial: String
        enum CodingKeys: String, CodingKey {
            case text, ids, tokens, decoded
            case decodedWithSpecial = "decoded_with_special"
        }
        var testDescription: String { text.debugDescription }
    }

    struct DecodeCase: Decodable, Sendable {
        let ids: [Int]
        let decoded: String
        let decodedWithSpecial: String
        enum CodingKeys: String, CodingKey {
            case ids, decoded
            case decodedWithSpecial = "decoded_with_special"
        }
    }

    struct Corpus: Decodable {
        let encode: [EncodeCase]
        let decode: [DecodeCase]
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/blip2").path
    static let modelFolder = fixtures + "/model"
    static let corpus: Corpus? = {
        guard let data = FileManager.default.contents(atPath: fixtures + "/tokenizer-corpus.json") else { return nil }
        return try? JSONDecoder().decode(Corpus.self, from: data)
    }()

    @Test func corpusIsLoaded() throws {
        let corpus = try #require(Self.corpus, "cannot read Tests/Fixtures/blip2/tokenizer-corpus.json")
        #expect(corpus.encode.count >= 25)
        #expect(corpus.decode.count >= 5)
    }

    @Test func loadsTheFixture() throws {
        let tokenizer = try GPT2Tokenizer(folder: Self.modelFolder)
        #expect(tokenizer.prefixTokenIds == [2])
        #expect(tokenizer.suffixTokenIds == [])
        #expect(tokenizer.id(of: "<image>") == 410)
        #expect(tokenizer.id(of: "\u{010A}") == 202)
        #expect(tokenizer.vocabularySize == 411)
    }

    @Test(arguments: corpus?.encode ?? [])
    func encodesAsTransformers(_ reference: EncodeCase) throws {
        let tokenizer = try GPT2Tokenizer(folder: Self.modelFolder)
        let ids = tokenizer.encode(reference.text)
        #expect(ids == reference.ids)
        #expect(ids.map { tokenizer.token(of: $0) ?? "?" } == reference.tokens)
        #expect(tokenizer.encode(reference.text, addSpecialTokens: false) == Array(reference.ids.dropFirst()))
        #expect(tokenizer.decode(reference.ids) == reference.decoded)
        #expect(tokenizer.decode(reference.ids, skipSpecialTokens: false) == reference.decodedWithSpecial)
    }

    @Test func decodesAsTransformers() throws {
        let tokenizer = try GPT2Tokenizer(folder: Self.modelFolder)
        let cases = try #require(Self.corpus).decode
        for reference in cases {
            #expect(tokenizer.decode(reference.ids) == reference.decoded, "ids \(reference.ids)")
            #expect(tokenizer.decode(reference.ids, skipSpecialTokens: false) == reference.decodedWithSpecial, "ids \(reference.ids)")
        }
    }

    /// A copy of the fixture tokenizer whose tokenizer.json has `edit` applied.
    static func editedFolder(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let folder = NSTemporaryDirectory() + "gpt2-tokenizer-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let data = try Data(contentsOf: URL(fileURLWithPath: modelFolder + "/tokenizer.json"))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: folder + "/tokenizer.json"))
        return folder
    }

    @Test func refusesWhatItDoesNotImplement() throws {
        let prefixSpace = try Self.editedFolder { $0["pre_tokenizer"] = ["type": "ByteLevel", "add_prefix_space": true] }
        defer { try? FileManager.default.removeItem(atPath: prefixSpace) }
        #expect(throws: TokenizerError.unsupportedConfiguration(file: prefixSpace + "/tokenizer.json", key: "pre_tokenizer.add_prefix_space",
                                                                value: "true (only false, GPT-2's and OPT's, is supported)")) {
            try GPT2Tokenizer(folder: prefixSpace)
        }
        let roberta = try Self.editedFolder { $0["post_processor"] = ["type": "RobertaProcessing"] }
        defer { try? FileManager.default.removeItem(atPath: roberta) }
        #expect(throws: TokenizerError.unsupportedConfiguration(file: roberta + "/tokenizer.json", key: "post_processor.type",
                                                                value: "\"RobertaProcessing\" (expected TemplateProcessing or ByteLevel)")) {
            try GPT2Tokenizer(folder: roberta)
        }
        let clip = try Self.editedFolder { object in
            var model = object["model"] as? [String: Any] ?? [:]
            model["end_of_word_suffix"] = "</w>"
            object["model"] = model
        }
        defer { try? FileManager.default.removeItem(atPath: clip) }
        #expect(throws: TokenizerError.self) { try GPT2Tokenizer(folder: clip) }
        let noTemplate = try Self.editedFolder { $0["post_processor"] = NSNull() }
        defer { try? FileManager.default.removeItem(atPath: noTemplate) }
        let plain = try GPT2Tokenizer(folder: noTemplate)
        #expect(plain.encode("a") == [68])
    }

    @Test func missingFileIsNamed() throws {
        let folder = NSTemporaryDirectory() + "gpt2-tokenizer-empty-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/tokenizer_config.json"))
        #expect(throws: TokenizerError.missingFile(path: folder + "/tokenizer.json")) { try GPT2Tokenizer(folder: folder) }
    }
}
