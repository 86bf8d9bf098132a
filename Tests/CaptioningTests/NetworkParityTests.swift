import Captioning
import Testing
import TensorRuntime

/// The tiny BLIP-2 of Tests/Fixtures/blip2/model, loaded from its sharded safetensors, against
/// transformers 5.24.0 `Blip2ForConditionalGeneration` (torch 2.13.0, float32) stage by stage:
/// vision transformer, Q-Former, language projection, and the language model's logits for the
/// whole prompt (image tokens + "Question: What are in the image? Answer:"). Tolerance 1e-4.
@Suite struct NetworkParityTests {
    static let tolerance: Float = 1e-4

    @Test(arguments: CaptioningFixtures.reference?.images ?? [])
    func stagesMatchTransformers(_ entry: CaptioningFixtures.ImageEntry) throws {
        let captioner = try CaptioningFixtures.captioner.get()
        let outputs = try CaptioningFixtures.outputs()
        let features = try captioner.model.imageFeatures(try outputs.tensor("pixel_values.\(entry.index)"))
        for (name, actual) in [("vision", features.imageEmbeddings), ("qformer", features.queryOutput),
                               ("projection", features.languageModelInputs)] {
            let expected = try outputs.tensor("\(name).\(entry.index)")
            let difference = try #require(maximumAbsoluteDifference(actual, expected), "\(name): shape \(actual.shape) vs \(expected.shape)")
            #expect(difference <= Self.tolerance, "\(entry.image) \(name): max-abs \(difference)")
        }
        let ids = try captioner.inputIds(prompt: try #require(CaptioningFixtures.reference).prompt)
        #expect(ids == entry.inputIds)
        let logits = try captioner.model.logits(ids: ids, features: features)
        let expected = try outputs.tensor("logits.\(entry.index)")
        let difference = try #require(maximumAbsoluteDifference(logits, expected), "logits: shape \(logits.shape) vs \(expected.shape)")
        #expect(difference <= Self.tolerance, "\(entry.image) logits: max-abs \(difference)")
    }
}
