import Foundation
import Testing
import Tokenizer

/// `GPT2Tokenizer` read from the slow files (`vocab.json`, `merges.txt`, `tokenizer_config.json`;
/// no `tokenizer.json`) against transformers 5.24.0 on Tests/Fixtures/blip2-slow-tokenizer (made
/// by Tools/make_blip2_slow_tokenizer_fixture.py from the tiny BLIP-2 fixture's tokenizer): the
/// `added_tokens_decoder` layout and the legacy `special_tokens_map.json` + `added_tokens.json`
/// one, where `<image>` is a plain added token that stays in decoded text.
@Suite struct GPT2SlowFilesTests {
    typealias EncodeCase = GPT2TokenizerTests.EncodeCase
    typealias DecodeCase = GPT2TokenizerTests.DecodeCase

    struct Reference: Decodable {
        let length: Int
        let imageTokenId: Int
        let sameIdsAsTokenizerJSON: Bool
        let encode: [EncodeCase]
        let decode: [DecodeCase]
        enum CodingKeys: String, CodingKey {
            case length, encode, decode
            case imageTokenId = "image_token_id", sameIdsAsTokenizerJSON = "same_ids_as_tokenizer_json"
        }
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/blip2-slow-tokenizer").path
    static let layouts = [folder, folder + "/legacy"]

    static func reference(_ folder: String) throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/reference.json")))
    }

    @Test(arguments: layouts)
    func readsTheSlowFilesAsTransformers(_ folder: String) throws {
        #expect(!FileManager.default.fileExists(atPath: folder + "/tokenizer.json"))
        let reference = try Self.reference(folder)
        #expect(reference.sameIdsAsTokenizerJSON && reference.encode.count >= 25 && reference.decode.count >= 5)
        let tokenizer = try GPT2Tokenizer(folder: folder)
        #expect(tokenizer.prefixTokenIds == [2] && tokenizer.suffixTokenIds == [])
        #expect(tokenizer.vocabularySize == reference.length)
        #expect(tokenizer.id(of: "<image>") == reference.imageTokenId)
        for entry in reference.encode {
            let ids = tokenizer.encode(entry.text)
            #expect(ids == entry.ids, "\(entry.text.debugDescription)")
            #expect(ids.map { tokenizer.token(of: $0) ?? "?" } == entry.tokens, "\(entry.text.debugDescription)")
            #expect(tokenizer.decode(entry.ids) == entry.decoded, "\(entry.text.debugDescription)")
            #expect(tokenizer.decode(entry.ids, skipSpecialTokens: false) == entry.decodedWithSpecial, "\(entry.text.debugDescription)")
        }
        for entry in reference.decode {
            #expect(tokenizer.decode(entry.ids) == entry.decoded, "ids \(entry.ids)")
            #expect(tokenizer.decode(entry.ids, skipSpecialTokens: false) == entry.decodedWithSpecial, "ids \(entry.ids)")
        }
    }

    /// A copy of the slow-files fixture whose tokenizer_config.json has `edit` applied.
    static func editedCopy(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let copy = NSTemporaryDirectory() + "gpt2-slow-files-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(atPath: folder + "/" + name, toPath: copy + "/" + name)
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/tokenizer_config.json"))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: copy + "/tokenizer_config.json"))
        return copy
    }

    @Test func configurationChoicesAndErrorsAreNamed() throws {
        // Without add_bos_token transformers adds nothing; add_eos_token puts eos last.
        let plain = try Self.editedCopy { $0.removeValue(forKey: "add_bos_token") }
        defer { try? FileManager.default.removeItem(atPath: plain) }
        #expect(try GPT2Tokenizer(folder: plain).encode("a") == [68])
        let both = try Self.editedCopy { $0["add_eos_token"] = true }
        defer { try? FileManager.default.removeItem(atPath: both) }
        #expect(try GPT2Tokenizer(folder: both).encode("a") == [2, 68, 2])

        let prefixSpace = try Self.editedCopy { $0["add_prefix_space"] = true }
        defer { try? FileManager.default.removeItem(atPath: prefixSpace) }
        #expect(throws: TokenizerError.unsupportedConfiguration(file: prefixSpace + "/tokenizer_config.json", key: "add_prefix_space",
                                                                value: "true (only false, GPT-2's and OPT's, is supported)")) {
            try GPT2Tokenizer(folder: prefixSpace)
        }
        let clash = try Self.editedCopy { object in
            var decoder = object["added_tokens_decoder"] as? [String: Any] ?? [:]
            decoder["68"] = ["content": "<image>", "special": true]
            decoder.removeValue(forKey: "410")
            object["added_tokens_decoder"] = decoder
        }
        defer { try? FileManager.default.removeItem(atPath: clash) }
        #expect(throws: TokenizerError.malformedConfiguration(file: clash + "/tokenizer_config.json", key: "added_tokens_decoder.68",
                                                              reason: "gives id 68 to \"<image>\", which vocab.json gives to \"a\"")) {
            try GPT2Tokenizer(folder: clash)
        }
        let unknownBos = try Self.editedCopy { object in
            object["bos_token"] = "<bos>"
            object["added_tokens_decoder"] = nil
        }
        defer { try? FileManager.default.removeItem(atPath: unknownBos) }
        #expect(throws: TokenizerError.specialTokenNotInVocabulary(file: unknownBos + "/tokenizer_config.json", key: "bos_token", token: "<bos>")) {
            try GPT2Tokenizer(folder: unknownBos)
        }
        // vocab.json without merges.txt names the missing file.
        try FileManager.default.removeItem(atPath: plain + "/merges.txt")
        #expect(throws: TokenizerError.missingFile(path: plain + "/merges.txt")) { try GPT2Tokenizer(folder: plain) }
    }
}
