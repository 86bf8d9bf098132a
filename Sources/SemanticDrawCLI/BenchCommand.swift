import ArgumentParser

/// `semantic-draw bench`: performance measurements (release builds only).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmarks (use a release build).")
    func run() throws {}
}
