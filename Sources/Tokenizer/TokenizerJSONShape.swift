/// The parts of a tokenizers `tokenizer.json` that the BPE tokenizers read, as Decodable
/// shapes: `added_tokens` and the BPE `model` (its vocabulary, merges and options), and for
/// ``GPT2Tokenizer`` the `pre_tokenizer` and `post_processor` sections (checked and read there).
/// The CLIP tokenizer reads neither: its pipeline is built in code, as for `vocab.json`/`merges.txt`
/// folders.
struct TokenizerJSONShape: Decodable {
    let addedTokens: [AddedTokenEntry]?
    let model: Model
    let normalizer: JSONValue?
    let preTokenizer: JSONValue?
    let postProcessor: JSONValue?

    enum CodingKeys: String, CodingKey {
        case addedTokens = "added_tokens"
        case model, normalizer
        case preTokenizer = "pre_tokenizer"
        case postProcessor = "post_processor"
    }

    /// One `added_tokens` entry; left-out flags take tokenizers' defaults.
    struct AddedTokenEntry: Decodable {
        let id: Int
        let content: String
        let singleWord: Bool?
        let leftStrip: Bool?
        let rightStrip: Bool?
        let normalized: Bool?
        let special: Bool?

        enum CodingKeys: String, CodingKey {
            case id, content, normalized, special
            case singleWord = "single_word"
            case leftStrip = "lstrip"
            case rightStrip = "rstrip"
        }
    }

    /// The `model` section. Only `type` is decoded when it is not `"BPE"`, so that a Unigram or
    /// WordPiece file is reported as such rather than as a vocabulary of the wrong shape.
    struct Model: Decodable {
        let type: String?
        let vocabulary: [String: Int]
        let merges: [Merge]
        let unknownToken: String?
        let endOfWordSuffix: String?
        let continuingSubwordPrefix: String?
        let dropout: Double?
        let fuseUnknown: Bool?
        let byteFallback: Bool?
        let ignoreMerges: Bool?

        enum CodingKeys: String, CodingKey {
            case type, dropout
            case vocabulary = "vocab"
            case merges
            case unknownToken = "unk_token"
            case endOfWordSuffix = "end_of_word_suffix"
            case continuingSubwordPrefix = "continuing_subword_prefix"
            case fuseUnknown = "fuse_unk"
            case byteFallback = "byte_fallback"
            case ignoreMerges = "ignore_merges"
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try container.decodeIfPresent(String.self, forKey: .type)
            guard type == nil || type == "BPE" else {
                vocabulary = [:]
                merges = []
                unknownToken = nil
                endOfWordSuffix = nil
                continuingSubwordPrefix = nil
                dropout = nil
                fuseUnknown = nil
                byteFallback = nil
                ignoreMerges = nil
                return
            }
            vocabulary = try container.decode([String: Int].self, forKey: .vocabulary)
            merges = try container.decode([Merge].self, forKey: .merges)
            unknownToken = try container.decodeIfPresent(String.self, forKey: .unknownToken)
            endOfWordSuffix = try container.decodeIfPresent(String.self, forKey: .endOfWordSuffix)
            continuingSubwordPrefix = try container.decodeIfPresent(String.self, forKey: .continuingSubwordPrefix)
            dropout = try container.decodeIfPresent(Double.self, forKey: .dropout)
            fuseUnknown = try container.decodeIfPresent(Bool.self, forKey: .fuseUnknown)
            byteFallback = try container.decodeIfPresent(Bool.self, forKey: .byteFallback)
            ignoreMerges = try container.decodeIfPresent(Bool.self, forKey: .ignoreMerges)
        }
    }

    /// One `model.merges` entry: `"left right"` (tokenizers < 0.20) or `["left", "right"]` (newer).
    struct Merge: Decodable {
        let left: String
        let right: String

        static let expectedForm = "must be a string \"left right\" or a pair [\"left\", \"right\"]"

        init(from decoder: Decoder) throws {
            if var pair = try? decoder.unkeyedContainer() {
                guard pair.count == 2, let left = try? pair.decode(String.self), let right = try? pair.decode(String.self) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: Self.expectedForm))
                }
                self.left = left
                self.right = right
                return
            }
            guard let text = try? decoder.singleValueContainer().decode(String.self) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: Self.expectedForm))
            }
            // tokenizers splits at the first space and requires exactly two parts.
            let parts = text.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: Self.expectedForm + ", found \(text.debugDescription)"))
            }
            left = String(parts[0])
            right = String(parts[1])
        }
    }
}
