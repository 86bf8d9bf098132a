import Foundation
import TensorRuntime
import Testing

/// `semantic-draw forward` with a single-file LDM checkpoint as `--model` (the tiny
/// `Tests/Fixtures/single-file/sd1.safetensors` with `--config sd1-config`): each network's
/// outputs match diffusers' (`sd1-reference.safetensors`, written by
/// Tools/make_single_file_fixture.py).
@Suite struct ForwardSingleFileTests {
    static let fixtures = ForwardCommandTests.repository.appendingPathComponent("Tests/Fixtures/single-file").path
    static let checkpoint = fixtures + "/sd1.safetensors"
    static let configuration = fixtures + "/sd1-config"
    static let reference = fixtures + "/sd1-reference.safetensors"

    /// The reference's `inputs/*` under the names `forward` reads, in a temporary file.
    static func writeInputs() throws -> String {
        let reference = try SafeTensorsFile(path: Self.reference)
        var inputs: [String: SafeTensorsValue] = ["input_ids": .int64(try reference.integerTensor("inputs/input_ids"))]
        for name in ["sample", "timestep", "encoder_hidden_states", "images", "latents"] {
            inputs[name] = .float32(try reference.tensor("inputs/" + name))
        }
        let path = ForwardCommandTests.temporaryPath("inputs.safetensors")
        try SafeTensorsWriter.write(inputs, to: path)
        return path
    }

    /// The largest absolute difference between `output`'s `name` and the reference's `expected`.
    static func maxAbsoluteDifference(_ output: String, _ name: String, _ expected: String) throws -> Float {
        let actual = try SafeTensorsFile(path: output).tensor(name)
        let wanted = try SafeTensorsFile(path: reference).tensor(expected)
        try #require(actual.shape == wanted.shape, "\(name): shape \(actual.shape), expected \(wanted.shape)")
        var worst: Float = 0
        let actualValues = actual.scalars, wantedValues = wanted.scalars
        for index in 0..<wanted.count { worst = max(worst, abs(actualValues[index] - wantedValues[index])) }
        return worst
    }

    @Test func everyNetworkOfTheSingleFileMatchesDiffusers() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ForwardCommandTests.executable.path), "build the executable first: swift build --build-tests")
        let inputs = try Self.writeInputs()
        defer { try? FileManager.default.removeItem(atPath: inputs) }
        let cases: [(component: String, extra: [String], outputs: [(String, String)])] = [
            ("unet", [], [("sample", "outputs/unet/sample")]),
            ("text-encoder", [], [("last_hidden_state", "outputs/text_encoder/last_hidden_state"),
                                  ("pooler_output", "outputs/text_encoder/pooler_output")]),
            ("vae-encode", [], [("latent_dist_mean", "outputs/vae/latent_dist_mean")]),
            ("vae-decode", [], [("sample", "outputs/vae/sample")]),
            ("unet", ["--lora", ForwardCommandTests.repository.appendingPathComponent("Tests/Fixtures/lora/peft/lora.safetensors").path,
                      "--lora-scale", "0.7"], [("sample", "lora/unet/sample")]),
        ]
        for (component, extra, outputs) in cases {
            let output = ForwardCommandTests.temporaryPath("\(component).safetensors")
            defer { try? FileManager.default.removeItem(atPath: output) }
            let run = try ForwardCommandTests.run(["forward", component, "--model", Self.checkpoint, "--config", Self.configuration,
                                                   "--input", inputs, "--output", output] + extra)
            try #require(run.status == 0, "\(component) \(extra): \(run.error)")
            for (name, expected) in outputs {
                let difference = try Self.maxAbsoluteDifference(output, name, expected)
                #expect(difference < 1e-4, "\(component) \(extra) \(name): max-abs \(difference)")
            }
        }
    }

    @Test func singleFileMistakesExitNonZeroWithAClearMessage() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ForwardCommandTests.executable.path))
        let inputs = try Self.writeInputs()
        defer { try? FileManager.default.removeItem(atPath: inputs) }
        let output = ForwardCommandTests.temporaryPath("never.safetensors")
        // The tiny file without --config: its shapes are not SD1.5's.
        var run = try ForwardCommandTests.run(["forward", "vae-decode", "--model", Self.checkpoint, "--input", inputs, "--output", output])
        #expect(run.status != 0)
        #expect(run.error.contains("--config DIR"), "stderr: \(run.error)")
        // --config with a folder model.
        let folder = ForwardCommandTests.repository.appendingPathComponent("Tests/Fixtures/vae").path
        run = try ForwardCommandTests.run(["forward", "vae-decode", "--model", folder, "--config", Self.configuration,
                                           "--input", inputs, "--output", output])
        #expect(run.status != 0)
        #expect(run.error.contains("not a .safetensors file"), "stderr: \(run.error)")
        // TAESD is not in a single file.
        run = try ForwardCommandTests.run(["forward", "taesd-decode", "--model", Self.checkpoint, "--input", inputs, "--output", output])
        #expect(run.status != 0)
        #expect(run.error.contains("needs a TAESD folder"), "stderr: \(run.error)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
