import Foundation

/// One fuzz target: `run` takes libFuzzer's bytes and must return normally for every input
/// (typed errors are expected answers); a crash, a sanitizer report or a broken invariant
/// (`FuzzCheck.require`) is a finding.
struct FuzzTarget: Sendable {
    let name: String
    /// Work done once, before the first input (a server to talk to, a scratch folder).
    let prepare: @Sendable () -> Void
    let run: @Sendable (Data) -> Void
}

/// The targets, by the name given in `SEMANTIC_DRAW_FUZZ_TARGET` (Tools/run-fuzzers.sh).
let fuzzTargets: [FuzzTarget] = [
    SafeTensorsFuzz.target,
    PNGFuzz.target,
    JPEGFuzz.target,
    PaletteFuzz.target,
    LoRAKeysFuzz.target,
    SingleFileFuzz.target,
    ClientMessageFuzz.target,
    HTTPPathFuzz.target,
]

/// The target chosen for this process (set once in `LLVMFuzzerInitialize`, before any input).
nonisolated(unsafe) var selectedTarget: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    let name = ProcessInfo.processInfo.environment["SEMANTIC_DRAW_FUZZ_TARGET"] ?? ""
    guard let target = fuzzTargets.first(where: { $0.name == name }) else {
        let names = fuzzTargets.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("set SEMANTIC_DRAW_FUZZ_TARGET to one of: \(names) (got '\(name)')\n".utf8))
        exit(2)
    }
    target.prepare()
    selectedTarget = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    selectedTarget?.run(data)
    return 0
}

/// Invariant checks: a violated one stops the process so that libFuzzer keeps the input.
enum FuzzCheck {
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard condition else {
            FileHandle.standardError.write(Data("fuzz invariant broken: \(message())\n".utf8))
            abort()
        }
    }

    /// A fresh scratch folder for this process.
    static func scratchFolder(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-fuzz-\(name)-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// libFuzzer's driver (`-sanitize=fuzzer` links it in).
@_silgen_name("LLVMFuzzerRunDriver")
func fuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The program's entry point in SwiftPM debug builds, which link executables with
/// `main = <module>_main` (so that tests can link them): hands over to libFuzzer's driver, as
/// libFuzzer's own `main` does in release builds.
@_cdecl("SemanticDrawFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return fuzzerRunDriver(&count, &arguments) { bytes, size in fuzzerTestOneInput(bytes, size) }
}
