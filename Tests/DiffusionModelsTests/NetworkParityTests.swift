import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// Every network against outputs that diffusers 0.42.1 / transformers 5.24.0 (torch 2.13.0 CPU,
/// float32) produced for the same tiny random-weight models (Tools/make_reference_fixtures.py;
/// the `sdxl/` ones: Tools/make_sdxl_fixtures.py; the `sd3/` ones: Tools/make_sd3_fixtures.py),
/// loaded through the real loading code.
/// Tolerance: 1e-4 max-abs error.
@Suite struct NetworkParityTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let fixture: String
        let component: NetworkComponent
        /// Output name in our results -> name in outputs.safetensors.
        let outputs: [String: String]
        /// Outputs the fixture has no reference for (checked to exist, not compared).
        var unchecked: Set<String> = []
        var testDescription: String { "\(component.rawValue) on \(fixture)" }
    }

    static let cases: [Case] = [
        Case(fixture: "clip-quick-gelu", component: .textEncoder, outputs: ["last_hidden_state": "last_hidden_state", "pooler_output": "pooler_output"],
             unchecked: ["penultimate_hidden_state"]),
        Case(fixture: "clip-gelu", component: .textEncoder, outputs: ["last_hidden_state": "last_hidden_state", "pooler_output": "pooler_output"],
             unchecked: ["penultimate_hidden_state"]),
        Case(fixture: "text-encoder-bf16", component: .textEncoder, outputs: ["last_hidden_state": "last_hidden_state", "pooler_output": "pooler_output"],
             unchecked: ["penultimate_hidden_state"]),
        Case(fixture: "unet-sd1", component: .unet, outputs: ["sample": "sample"]),
        Case(fixture: "unet-sd2", component: .unet, outputs: ["sample": "sample"]),
        Case(fixture: "unet-scalar-timestep", component: .unet, outputs: ["sample": "sample"]),
        Case(fixture: "vae", component: .vaeEncode, outputs: ["latent_dist_mean": "latent_dist_mean"]),
        Case(fixture: "vae", component: .vaeDecode, outputs: ["sample": "sample"]),
        Case(fixture: "vae-fp16", component: .vaeEncode, outputs: ["latent_dist_mean": "latent_dist_mean"]),
        Case(fixture: "vae-fp16", component: .vaeDecode, outputs: ["sample": "sample"]),
        Case(fixture: "taesd", component: .taesdEncode, outputs: ["latents": "encoded_latents"]),
        Case(fixture: "taesd", component: .taesdDecode, outputs: ["sample": "sample"]),
        Case(fixture: "sdxl/text-encoder-1", component: .textEncoder, outputs: textEncoderOutputs),
        Case(fixture: "sdxl/text-encoder-2", component: .textEncoder2, outputs: textEncoderOutputs.merging(["text_embeds": "text_embeds"]) { $1 }),
        Case(fixture: "sdxl/unet-sdxl", component: .unet, outputs: ["sample": "sample"]),
        Case(fixture: "sdxl/vae-sdxl", component: .vaeDecode, outputs: ["sample": "sample"]),
        Case(fixture: "sdxl/vae-sdxl", component: .vaeEncode, outputs: ["latent_dist_mean": "latent_dist_mean"]),
        Case(fixture: "sd3/transformer-sd3", component: .transformer, outputs: ["sample": "sample"]),
        Case(fixture: "sd3/transformer-sd35-medium", component: .transformer, outputs: ["sample": "sample"]),
        Case(fixture: "sd3/transformer-sd35-large", component: .transformer, outputs: ["sample": "sample"]),
        Case(fixture: "sd3/vae-sd3", component: .vaeDecode, outputs: ["sample": "sample"]),
        Case(fixture: "sd3/vae-sd3", component: .vaeEncode, outputs: ["latent_dist_mean": "latent_dist_mean"]),
    ]

    static let textEncoderOutputs = ["last_hidden_state": "last_hidden_state", "pooler_output": "pooler_output",
                                     "penultimate_hidden_state": "penultimate_hidden_state"]

    @Test(arguments: cases)
    func matchesReference(_ testCase: Case) throws {
        let inputs = try SafeTensorsFile(path: Fixtures.file(testCase.fixture, "inputs.safetensors"))
        let expected = try SafeTensorsFile(path: Fixtures.file(testCase.fixture, "outputs.safetensors"))
        let results = try testCase.component.run(model: Fixtures.folder(testCase.fixture), inputs: inputs)
        #expect(Set(results.keys) == Set(testCase.outputs.keys).union(testCase.unchecked))
        for (name, referenceName) in testCase.outputs {
            guard case .float32(let actual) = results[name] else {
                Issue.record("no float output \(name)")
                continue
            }
            let reference = try expected.tensor(referenceName)
            try #require(actual.shape == reference.shape, "\(name): shape \(actual.shape) vs reference \(reference.shape)")
            let comparison = Comparison(actual, reference)
            print("parity \(testCase.testDescription) \(name): \(comparison)")
            #expect(comparison.maximumAbsoluteError < 1e-4, "\(name): \(comparison)")
        }
    }
}
