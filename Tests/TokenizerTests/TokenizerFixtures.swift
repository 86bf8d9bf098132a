import Foundation
import Testing
import Tokenizer

/// The CLIP tokenizer fixtures: `Tests/Fixtures/clip-tokenizer/` holds OpenAI's CLIP BPE tables
/// in the Hugging Face layout and `reference.json`, made by `Tools/make_tokenizer_fixtures.py`
/// with transformers 5.24.0 / tokenizers 0.23.3 `CLIPTokenizer` on the same files.
enum TokenizerFixtures {
    static let folder: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent("clip-tokenizer").path
    }()

    static func file(_ name: String) -> String { folder + "/" + name }

    /// The reference file, or nil when it cannot be read (``CorpusTests`` then fails loudly).
    static let reference: ReferenceFile? = {
        guard let data = FileManager.default.contents(atPath: file("reference.json")) else { return nil }
        return try? JSONDecoder().decode(ReferenceFile.self, from: data)
    }()

    /// The fixture tokenizer, loaded once for all tests.
    static let tokenizer: Result<CLIPTokenizer, TokenizerError> = Result { () throws(TokenizerError) in
        try CLIPTokenizer(folder: folder)
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "clip-tokenizer-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A temporary copy of the fixture folder (all four files), removed by the caller.
    static func copyOfFixture(into parent: String? = nil) throws -> String {
        let target = try parent ?? temporaryFolder()
        for name in ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"] {
            try FileManager.default.copyItem(atPath: file(name), toPath: target + "/" + name)
        }
        return target
    }
}

/// `reference.json`.
struct ReferenceFile: Decodable {
    let versions: [String: String]
    let maximumLength: Int
    let cases: [ReferenceCase]
    let variants: [ReferenceVariant]

    enum CodingKeys: String, CodingKey {
        case versions, cases, variants
        case maximumLength = "maximum_length"
    }
}

/// One prompt of the corpus: ids with start and end tokens after truncation to 77, unpadded.
struct ReferenceCase: Decodable, Sendable, CustomTestStringConvertible {
    let text: String
    let ids: [Int]
    let tokens: [String]
    let untruncatedLength: Int
    let category: String

    enum CodingKeys: String, CodingKey {
        case text, ids, tokens, category
        case untruncatedLength = "untruncated_length"
    }

    var testDescription: String { "[\(category)] \(escaped(text))" }
}

/// A special-token configuration with its padded reference ids.
struct ReferenceVariant: Decodable, Sendable, CustomTestStringConvertible {
    struct Case: Decodable, Sendable {
        let text: String
        let ids: [Int]
        let tokens: [String]
        let count: Int
        let untruncatedLength: Int

        enum CodingKeys: String, CodingKey {
            case text, ids, tokens, count
            case untruncatedLength = "untruncated_length"
        }
    }

    let name: String
    let description: String
    let padTokenId: Int
    /// The file's JSON, or the string "absent" when the variant has no such file.
    let tokenizerConfig: JSONTree
    let specialTokensMap: JSONTree
    let cases: [Case]

    enum CodingKeys: String, CodingKey {
        case name, description, cases
        case padTokenId = "pad_token_id"
        case tokenizerConfig = "tokenizer_config"
        case specialTokensMap = "special_tokens_map"
    }

    var testDescription: String { name }

    /// Builds the variant's tokenizer folder: the fixture's vocab.json and merges.txt plus its two JSON files.
    func makeFolder() throws -> String {
        let folder = try TokenizerFixtures.temporaryFolder()
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(atPath: TokenizerFixtures.file(name), toPath: folder + "/" + name)
        }
        for (tree, name) in [(tokenizerConfig, "tokenizer_config.json"), (specialTokensMap, "special_tokens_map.json")]
        where tree != .string("absent") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(tree).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
        return folder
    }
}

/// Any JSON value, decoded and re-encoded without loss of booleans.
enum JSONTree: Codable, Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONTree]), object([String: JSONTree])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONTree].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONTree].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// A prompt as a Swift string literal, so that invisible characters show in failure messages.
func escaped(_ text: String) -> String {
    let shown = text.unicodeScalars.count > 120 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(120))) + "..." : text
    return "\"" + shown.unicodeScalars.map { $0.escaped(asASCII: true) }.joined() + "\""
}
