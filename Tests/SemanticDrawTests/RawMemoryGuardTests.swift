import Foundation
import Testing

/// The SemanticDraw library, the server and the schedulers compute with tensor operations only (docs/ARCHITECTURE.md):
/// they never reach tensor memory directly, so the same pipelines run on any backend and dtype.
/// This test reads their Swift sources and fails on any way to touch raw memory: the runtime's
/// host accessors (`withUnsafeHostElements`, `initializingHostElements`), any `Unsafe...`
/// pointer or buffer type or `withUnsafe...` call, and a `.pointer` property.
@Suite struct RawMemoryGuardTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    static let forbidden = ["withUnsafeHostElements", "initializingHostElements", "Unsafe", "withUnsafe", ".pointer"]

    /// Every `.swift` file under `Sources/<module>`.
    static func swiftFiles(in module: String) throws -> [URL] {
        let root = sources.appendingPathComponent(module)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
    }

    @Test(arguments: ["SemanticDraw", "SemanticDrawServer", "Schedulers"])
    func touchesNoRawTensorMemory(module: String) throws {
        let files = try Self.swiftFiles(in: module)
        try #require(files.count > 10, "found the \(module) sources (\(files.count) files)")
        let findings = try Self.findings(in: files)
        #expect(findings.isEmpty, "\(module) touches raw memory:\n\(findings.joined(separator: "\n"))")
    }

    /// Each line of code (comments stripped: they may name the accessors) with a forbidden pattern.
    static func findings(in files: [URL]) throws -> [String] {
        var findings: [String] = []
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
            for (number, line) in lines.enumerated() {
                let code = line.components(separatedBy: "//").first ?? line
                for pattern in forbidden where code.contains(pattern) {
                    findings.append("\(file.lastPathComponent):\(number + 1): \(pattern): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        return findings
    }

    /// The guard sees each kind of violation in a file (it is not vacuous), and ignores comments.
    @Test func detectsViolations() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("raw-memory-\(UUID().uuidString).swift")
        defer { try? FileManager.default.removeItem(at: file) }
        let source = """
            let values = tensor.withUnsafeHostElements { Array($0) }
            let made = Tensor(shape: [2], initializingHostElements: { $0[0] = 1; $0[1] = 2 })
            let first = tensor.pointer[0]
            // tensor.withUnsafeHostElements is named in a comment only
            """
        try source.write(to: file, atomically: true, encoding: .utf8)
        let findings = try Self.findings(in: [file])
        #expect(findings.count == 5, "\(findings)")   // line 1 matches three patterns, lines 2 and 3 one each
        #expect(findings.allSatisfy { !$0.contains(":4:") }, "comments are ignored")
    }
}
