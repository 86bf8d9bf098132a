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
        for component in ["text-encoder", "unet", "vae-encode", "vae-decode", "taesd-encode", "taesd-decode"] {
            #expect(run.output.contains(component))
        }
    }
}
