import Captioning
import Foundation
import ImageCodecs
import TensorRuntime
import Testing

/// Tests/Fixtures/blip2, made by Tools/make_blip2_fixtures.py with transformers 5.24.0, torch
/// 2.13.0 and Pillow 13.0.0: a tiny random `Blip2ForConditionalGeneration` (OPT) in `model/`
/// (sharded safetensors with an index), PNG inputs in `images/`, reference tensors in
/// `outputs.safetensors` and ids in `reference.json`.
enum CaptioningFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/blip2").path
    static let modelFolder = root + "/model"

    struct ImageEntry: Decodable, Sendable {
        let image: String
        let index: Int
        let inputIds: [Int]
        enum CodingKeys: String, CodingKey { case image, index, inputIds = "input_ids" }
    }

    struct Generation: Decodable, Sendable, CustomTestStringConvertible {
        let image: String
        let prompt: String?
        let maximumNewTokens: Int
        let endTokenId: Int?
        let inputIds: [Int]
        let newIds: [Int]
        let text: String
        enum CodingKeys: String, CodingKey {
            case image, prompt, text
            case maximumNewTokens = "max_new_tokens", endTokenId = "eos_token_id", inputIds = "input_ids", newIds = "new_ids"
        }
        var testDescription: String { "\(image), \(prompt ?? "no prompt"), \(maximumNewTokens) tokens, eos \(endTokenId.map(String.init) ?? "default")" }
    }

    struct Reference: Decodable, Sendable {
        let versions: String
        let prompt: String
        let imageTokenId: Int
        let queryTokenCount: Int
        let endTokenId: Int
        let images: [ImageEntry]
        let generations: [Generation]
        enum CodingKeys: String, CodingKey {
            case versions, prompt, images, generations
            case imageTokenId = "image_token_id", queryTokenCount = "num_query_tokens", endTokenId = "eos_token_id"
        }
    }

    static let reference: Reference? = {
        guard let data = FileManager.default.contents(atPath: root + "/reference.json") else { return nil }
        return try? JSONDecoder().decode(Reference.self, from: data)
    }()

    /// The captioner of `model/`, loaded once.
    static let captioner: Result<Blip2Captioner, any Error> = Result { try Blip2Captioner(folder: modelFolder) }

    static func outputs() throws -> SafeTensorsFile { try SafeTensorsFile(path: root + "/outputs.safetensors") }

    static func image(_ name: String) throws -> Image { try PNG.read(path: root + "/images/" + name) }
}

/// Element-wise comparison: shapes must match; the largest absolute difference.
func maximumAbsoluteDifference(_ actual: Tensor, _ expected: Tensor) -> Float? {
    guard actual.shape == expected.shape else { return nil }
    let actualValues = actual.scalars, expectedValues = expected.scalars
    var result: Float = 0
    for index in expectedValues.indices { result = max(result, abs(actualValues[index] - expectedValues[index])) }
    return result
}
