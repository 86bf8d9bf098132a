import Foundation
import Testing
import Tokenizer

/// `Tests/Fixtures/clip-tokenizer-json/`: the slow-file fixture as transformers 5.24.0 saves it
/// (`tokenizer.json` + `tokenizer_config.json` only), in a pipeline-like folder — `tokenizer/`
/// (SD1.5, merges as pairs) and `tokenizer_2/` (pad `!` as SDXL's, merges as strings) — with
/// `reference.json`, made by `Tools/make_tokenizer_json_fixtures.py`.
enum TokenizerJSONFixtures {
    static let folder: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent("clip-tokenizer-json").path
    }()

    /// The reference file, or nil when it cannot be read (the tests then fail loudly).
    static let reference: Reference? = {
        guard let data = FileManager.default.contents(atPath: folder + "/reference.json") else { return nil }
        return try? JSONDecoder().decode(Reference.self, from: data)
    }()

    /// Each subfolder's tokenizer, loaded once.
    static let tokenizers: [String: Result<CLIPTokenizer, TokenizerError>] = {
        var result: [String: Result<CLIPTokenizer, TokenizerError>] = [:]
        for subfolder in ["tokenizer", "tokenizer_2"] {
            result[subfolder] = Result { () throws(TokenizerError) in try CLIPTokenizer(folder: folder, subfolder: subfolder) }
        }
        return result
    }()

    static func tokenizer(_ subfolder: String) throws -> CLIPTokenizer {
        guard let result = tokenizers[subfolder] else { throw TokenizerError.notATokenizerFolder(path: folder, subfolder: subfolder) }
        return try result.get()
    }

    /// `reference.json`.
    struct Reference: Decodable {
        let versions: [String: String]
        let folders: [Folder]
    }

    /// One subfolder with transformers' padded ids for the script's prompts.
    struct Folder: Decodable, Sendable, CustomTestStringConvertible {
        let subfolder: String
        let mergeForm: String
        let padTokenId: Int
        let modelMaxLength: Int
        let cases: [ReferenceVariant.Case]

        enum CodingKeys: String, CodingKey {
            case subfolder, cases
            case mergeForm = "merge_form"
            case padTokenId = "pad_token_id"
            case modelMaxLength = "model_max_length"
        }

        var testDescription: String { "\(subfolder) (merges as \(mergeForm))" }
    }

    /// A temporary tokenizer folder holding `tokenizer.json` with `edit` applied to its JSON
    /// object (the SD1.5 fixture's), and `configuration` as `tokenizer_config.json` when given.
    static func editedFolder(configuration: [String: Any]? = nil,
                             _ edit: (inout [String: Any]) throws -> Void = { _ in }) throws -> String {
        let source = try Data(contentsOf: URL(fileURLWithPath: folder + "/tokenizer/tokenizer.json"))
        guard var object = try JSONSerialization.jsonObject(with: source) as? [String: Any] else {
            throw TokenizerError.malformedConfiguration(file: folder + "/tokenizer/tokenizer.json", key: "(file)", reason: "is not a JSON object")
        }
        try edit(&object)
        let target = try TokenizerFixtures.temporaryFolder()
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: target + "/tokenizer.json"))
        if let configuration {
            try JSONSerialization.data(withJSONObject: configuration).write(to: URL(fileURLWithPath: target + "/tokenizer_config.json"))
        }
        return target
    }

    /// A temporary tokenizer folder with `text` as `tokenizer.json` (and nothing else).
    static func folder(withTokenizerJSON text: String) throws -> String {
        let target = try TokenizerFixtures.temporaryFolder()
        try Data(text.utf8).write(to: URL(fileURLWithPath: target + "/tokenizer.json"))
        return target
    }
}
