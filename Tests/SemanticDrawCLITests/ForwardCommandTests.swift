import Foundation
import TensorRuntime
import Testing

/// End-to-end runs of the built `semantic-draw` executable (the same binary users run):
/// `forward` on a reference fixture, and failures that must exit non-zero with a clear message
/// and leave no output file.
@Suite struct ForwardCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The executable next to the test bundle (`swift build --build-tests` builds both).
    static var executable: URL {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [bundleDirectory.appendingPathComponent("semantic-draw"),
                          repository.appendingPathComponent(".build/debug/semantic-draw")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]
    }

    struct Run { let status: Int32; let output: String; let error: String }

    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                   error: String(decoding: errorData, as: UTF8.self))
    }

    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-cli-\(UUID().uuidString)-\(name)").path
    }

    @Test func forwardVaeDecodeMatchesTheReference() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the executable first: swift build --build-tests")
        let fixture = Self.repository.appendingPathComponent("Tests/Fixtures/vae").path
        let output = Self.temporaryPath("out.safetensors")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try Self.run(["forward", "vae-decode", "--model", fixture, "--input", fixture + "/inputs.safetensors", "--output", output])
        #expect(run.status == 0, "stderr: \(run.error)")
        let actual = try SafeTensorsFile(path: output).tensor("sample")
        let expected = try SafeTensorsFile(path: fixture + "/outputs.safetensors").tensor("sample")
        #expect(actual.shape == expected.shape)
        var worst: Float = 0
        let actualValues = actual.scalars, expectedValues = expected.scalars
        for index in 0..<expected.count { worst = max(worst, abs(actualValues[index] - expectedValues[index])) }
        #expect(worst < 1e-4)
    }

    /// Largest absolute difference between `name` in two safetensors files.
    static func worstDifference(_ name: String, _ actualPath: String, _ expectedPath: String) throws -> Float {
        let actual = try SafeTensorsFile(path: actualPath).tensor(name)
        let expected = try SafeTensorsFile(path: expectedPath).tensor(name)
        guard actual.shape == expected.shape else { return .infinity }
        let actualValues = actual.scalars, expectedValues = expected.scalars
        return zip(actualValues, expectedValues).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// SDXL: the UNet with `text_embeds` and `time_ids`, and `text-encoder-2` reading
    /// `text_encoder_2/` of a pipeline folder, with its penultimate state and projection.
    @Test func forwardRunsTheSDXLNetworks() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the executable first: swift build --build-tests")
        let unet = Self.repository.appendingPathComponent("Tests/Fixtures/sdxl/unet-sdxl").path
        let output = Self.temporaryPath("unet.safetensors")
        defer { try? FileManager.default.removeItem(atPath: output) }
        var run = try Self.run(["forward", "unet", "--model", unet, "--input", unet + "/inputs.safetensors", "--output", output])
        #expect(run.status == 0, "stderr: \(run.error)")
        #expect(try Self.worstDifference("sample", output, unet + "/outputs.safetensors") < 1e-4)

        let encoder = Self.repository.appendingPathComponent("Tests/Fixtures/sdxl/text-encoder-2").path
        let pipeline = Self.temporaryPath("pipeline")
        defer { try? FileManager.default.removeItem(atPath: pipeline) }
        try FileManager.default.createDirectory(atPath: pipeline, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: encoder, toPath: pipeline + "/text_encoder_2")
        let encoded = Self.temporaryPath("encoded.safetensors")
        defer { try? FileManager.default.removeItem(atPath: encoded) }
        run = try Self.run(["forward", "text-encoder-2", "--model", pipeline, "--input", encoder + "/inputs.safetensors", "--output", encoded])
        #expect(run.status == 0, "stderr: \(run.error)")
        for name in ["penultimate_hidden_state", "text_embeds", "last_hidden_state", "pooler_output"] {
            #expect(try Self.worstDifference(name, encoded, encoder + "/outputs.safetensors") < 1e-4, "\(name)")
        }
        // The first encoder's folder is not there: the error names text_encoder.
        run = try Self.run(["forward", "text-encoder", "--model", pipeline, "--input", encoder + "/inputs.safetensors", "--output", output + ".2"])
        #expect(run.status != 0)
        #expect(run.error.contains("text_encoder/config.json"), "stderr: \(run.error)")
    }

    /// SD3: the transformer read from `transformer/` of a pipeline folder, and the 16-channel VAE
    /// both ways.
    @Test func forwardRunsTheSD3Networks() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the executable first: swift build --build-tests")
        let transformer = Self.repository.appendingPathComponent("Tests/Fixtures/sd3/transformer-sd35-medium").path
        let pipeline = Self.temporaryPath("sd3-pipeline")
        defer { try? FileManager.default.removeItem(atPath: pipeline) }
        try FileManager.default.createDirectory(atPath: pipeline, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: transformer, toPath: pipeline + "/transformer")
        let output = Self.temporaryPath("transformer.safetensors")
        defer { try? FileManager.default.removeItem(atPath: output) }
        var run = try Self.run(["forward", "transformer", "--model", pipeline, "--input", transformer + "/inputs.safetensors", "--output", output])
        #expect(run.status == 0, "stderr: \(run.error)")
        #expect(try Self.worstDifference("sample", output, transformer + "/outputs.safetensors") < 1e-4)

        let vae = Self.repository.appendingPathComponent("Tests/Fixtures/sd3/vae-sd3").path
        for (component, name) in [("vae-decode", "sample"), ("vae-encode", "latent_dist_mean")] {
            let decoded = Self.temporaryPath("\(component).safetensors")
            defer { try? FileManager.default.removeItem(atPath: decoded) }
            run = try Self.run(["forward", component, "--model", vae, "--input", vae + "/inputs.safetensors", "--output", decoded])
            #expect(run.status == 0, "stderr: \(run.error)")
            #expect(try Self.worstDifference(name, decoded, vae + "/outputs.safetensors") < 1e-4, "\(component)")
        }
        // The UNet inputs are not the transformer's: the error names the missing tensor.
        run = try Self.run(["forward", "transformer", "--model", pipeline, "--input",
                            Self.repository.appendingPathComponent("Tests/Fixtures/unet-sd1/inputs.safetensors").path, "--output", output + ".2"])
        #expect(run.status != 0)
        #expect(run.error.contains("hidden_states"), "stderr: \(run.error)")
        #expect(!FileManager.default.fileExists(atPath: output + ".2"))
    }

    @Test func forwardFailuresExitNonZeroAndWriteNothing() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path))
        let fixture = Self.repository.appendingPathComponent("Tests/Fixtures/vae").path
        let output = Self.temporaryPath("never.safetensors")
        // Wrong input file for the component: the error names the missing tensor.
        var run = try Self.run(["forward", "unet", "--model", Self.repository.appendingPathComponent("Tests/Fixtures/unet-sd1").path,
                                "--input", fixture + "/inputs.safetensors", "--output", output])
        #expect(run.status != 0)
        #expect(run.error.contains("sample") && run.error.contains("inputs.safetensors"), "stderr: \(run.error)")
        #expect(!FileManager.default.fileExists(atPath: output))
        // A folder that is not a model.
        run = try Self.run(["forward", "vae-decode", "--model", Self.repository.appendingPathComponent("Tests").path,
                            "--input", fixture + "/inputs.safetensors", "--output", output])
        #expect(run.status != 0)
        #expect(run.error.contains("config.json"), "stderr: \(run.error)")
        #expect(!FileManager.default.fileExists(atPath: output))
        // An unknown component.
        run = try Self.run(["forward", "decoder", "--model", fixture, "--input", fixture + "/inputs.safetensors", "--output", output])
        #expect(run.status != 0)
        #expect(run.error.contains("unknown component 'decoder'"), "stderr: \(run.error)")
    }

    @Test func helpListsTheComponentTable() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path))
        let run = try Self.run(["forward", "--help"])
        #expect(run.status == 0)
        for component in ["text-encoder", "text-encoder-2", "unet", "vae-encode", "vae-decode", "taesd-encode", "taesd-decode"] {
            #expect(run.output.contains(component))
        }
    }
}
