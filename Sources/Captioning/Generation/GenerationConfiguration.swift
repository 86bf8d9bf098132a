import DiffusionModels
import Foundation

/// The parts of a `generation_config.json` that greedy captioning uses: the end token(s) that
/// stop generation (`eos_token_id`, one id or a list; 50118, a newline, for blip2-opt-2.7b).
/// Sampling, beam search and logit processors are refused by name, so a folder whose `generate`
/// would not be greedy does not silently caption differently.
public struct GenerationConfiguration: Sendable, Equatable {
    /// Ids that end generation (the end token is kept as the last new id, as transformers does).
    public var endTokenIds: [Int]

    public init(endTokenIds: [Int]) { self.endTokenIds = endTokenIds }

    /// The fields read from the file (the others are ignored).
    private struct Fields: Decodable {
        enum EndTokens: Decodable {
            case one(Int), several([Int])
            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let id = try? container.decode(Int.self) { self = .one(id) } else { self = .several(try container.decode([Int].self)) }
            }
            var ids: [Int] {
                switch self {
                case .one(let id): return [id]
                case .several(let ids): return ids
                }
            }
        }
        let eosTokenId: EndTokens?
        let doSample: Bool?
        let numBeams: Int?
        let repetitionPenalty: Double?
        let noRepeatNgramSize: Int?
        let minNewTokens: Int?
        let minLength: Int?
        enum CodingKeys: String, CodingKey {
            case eosTokenId = "eos_token_id", doSample = "do_sample", numBeams = "num_beams"
            case repetitionPenalty = "repetition_penalty", noRepeatNgramSize = "no_repeat_ngram_size"
            case minNewTokens = "min_new_tokens", minLength = "min_length"
        }
    }

    /// Reads `folder/generation_config.json`; without one, `fallbackEndTokenId` (the language
    /// model config's `eos_token_id`) ends generation, as transformers derives it.
    public init(folder: String, fallbackEndTokenId: Int) throws {
        let path = (folder as NSString).appendingPathComponent("generation_config.json")
        guard FileManager.default.fileExists(atPath: path) else {
            self.init(endTokenIds: [fallbackEndTokenId])
            return
        }
        let fields = try ConfigurationFile.decode(Fields.self, from: path)
        func refuse(_ field: String, _ value: CustomStringConvertible?, unless allowed: Bool) throws {
            if let value, !allowed {
                throw ModelLoadingError.unsupportedConfiguration(file: path, field: field, value: "\(value) (captioning decodes greedily)")
            }
        }
        try refuse("do_sample", fields.doSample, unless: fields.doSample != true)
        try refuse("num_beams", fields.numBeams, unless: (fields.numBeams ?? 1) == 1)
        try refuse("repetition_penalty", fields.repetitionPenalty, unless: (fields.repetitionPenalty ?? 1) == 1)
        try refuse("no_repeat_ngram_size", fields.noRepeatNgramSize, unless: (fields.noRepeatNgramSize ?? 0) == 0)
        try refuse("min_new_tokens", fields.minNewTokens, unless: (fields.minNewTokens ?? 0) == 0)
        try refuse("min_length", fields.minLength, unless: (fields.minLength ?? 0) == 0)
        self.init(endTokenIds: fields.eosTokenId?.ids ?? [fallbackEndTokenId])
    }
}
