import Foundation
import TensorRuntime
import Testing

/// `semantic-draw forward` with an SD3 single file as `--model` (Tests/Fixtures/sd3-single-file/,
/// Tools/make_sd3_single_file_fixtures.py): the transformer (SD3 and SD3.5 Medium layouts), both
/// CLIP encoders and the VAE match the outputs of the networks diffusers' `from_single_file`
/// loaded from the same file, within 1e-4.
@Suite struct ForwardSD3SingleFileTests {
    static let fixtures = ForwardCommandTests.repository.appendingPathComponent("Tests/Fixtures/sd3-single-file").path
    static let reference = fixtures + "/reference.safetensors"

    static func writeInputs() throws -> String {
        let reference = try SafeTensorsFile(path: Self.reference)
        let ids = try reference.tensor("input_ids").scalars.map { Int64($0) }
        var inputs: [String: SafeTensorsValue] = ["input_ids": .int64(IntegerTensor(shape: [1, ids.count], values: ids))]
        for name in ["hidden_states", "encoder_hidden_states", "pooled_projections", "timestep"] {
            inputs[name] = .float32(try reference.tensor("inputs." + name))
        }
        inputs["latents"] = .float32(try reference.tensor("vae.latents"))
        inputs["images"] = .float32(try reference.tensor("vae.images"))
        let path = ForwardCommandTests.temporaryPath("sd3-inputs.safetensors")
        try SafeTensorsWriter.write(inputs, to: path)
        return path
    }

    @Test func everyNetworkOfTheSD3FileMatchesDiffusers() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ForwardCommandTests.executable.path), "build the executable first: swift build --build-tests")
        let inputs = try Self.writeInputs()
        defer { try? FileManager.default.removeItem(atPath: inputs) }
        let sd3 = ["--model", Self.fixtures + "/sd3.safetensors", "--config", Self.fixtures + "/sd3-config"]
        let sd35 = ["--model", Self.fixtures + "/sd35-medium.safetensors", "--config", Self.fixtures + "/sd35-medium-config"]
        let cases: [(component: String, model: [String], outputs: [(String, String)])] = [
            ("transformer", sd3, [("sample", "sd3.sample")]),
            ("transformer", sd35, [("sample", "sd35.sample")]),
            ("text-encoder", sd3, [("text_embeds", "clip_l.text_embeds")]),
            ("text-encoder-2", sd3, [("text_embeds", "clip_g.text_embeds")]),
            ("vae-encode", sd3, [("latent_dist_mean", "vae.mean")]),
            ("vae-decode", sd3, [("sample", "vae.sample")]),
        ]
        for (component, model, outputs) in cases {
            let output = ForwardCommandTests.temporaryPath("sd3-\(component).safetensors")
            defer { try? FileManager.default.removeItem(atPath: output) }
            let run = try ForwardCommandTests.run(["forward", component] + model + ["--input", inputs, "--output", output])
            try #require(run.status == 0, "\(component) \(model[1]): \(run.error)")
            for (name, expected) in outputs {
                let actual = try SafeTensorsFile(path: output).tensor(name), wanted = try SafeTensorsFile(path: Self.reference).tensor(expected)
                try #require(actual.shape == wanted.shape, "\(component) \(name): shape \(actual.shape), expected \(wanted.shape)")
                let difference = zip(actual.scalars, wanted.scalars).map { abs($0 - $1) }.max() ?? 0
                #expect(difference <= 1e-4, "\(component) \(model[1]) \(name): max-abs \(difference)")
            }
        }
    }
}
