import Foundation
import Testing

/// Without the hub (nothing listening at HF_ENDPOINT, or HF_HUB_OFFLINE=1) and with an empty
/// cache, a command that needs the default model fails with the hub's message, says that the
/// default model is downloaded on first use, and names the command that needs no download
/// (`--model tiny-random`); nothing is written.
@Suite struct OfflineModelTests {
    typealias CLI = ForwardCommandTests

    /// Runs the CLI with `environment` added to this process's environment.
    static func run(_ arguments: [String], environment extra: [String: String]) throws -> (status: Int32, error: String) {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let error = Pipe()
        process.standardError = error
        process.standardOutput = Pipe()
        try process.run()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, message)
    }

    @Test(arguments: [
        ["HF_ENDPOINT": "http://127.0.0.1:9", "HF_HUB_OFFLINE": "0"],   // discard port: nothing answers
        ["HF_HUB_OFFLINE": "1"],
    ])
    func theDefaultModelOfflineNamesTheOfflineCommand(environment: [String: String]) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let home = CLI.temporaryPath("offline-home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let output = home + "/out.png"
        let environment = environment.merging(["HF_HOME": home, "HF_HUB_CACHE": home + "/hub"]) { $1 }
        let generate = try Self.run(["generate", "--prompt", "a cat", "--width", "64", "--height", "48", "--output", output],
                                    environment: environment)
        #expect(generate.status != 0)
        #expect(generate.error.contains("The default model (KBlueLeaf/kohaku-v2.1"), "\(generate.error)")
        #expect(generate.error.contains("use the built-in model: --model tiny-random"), "\(generate.error)")
        #expect(generate.error.contains(environment["HF_HUB_OFFLINE"] == "1" ? "not in the cache" : "Cannot reach the hub"), "\(generate.error)")
        #expect(!FileManager.default.fileExists(atPath: output))
        let download = try Self.run(["download"], environment: environment)
        #expect(download.status != 0 && download.error.contains("--model tiny-random"), "\(download.error)")
    }
}
