import Foundation
import Testing

/// `semantic-draw bench --case blip2-caption-tiny` (the captioning bench's pairing on the
/// tiny-random captioner's architecture, Swift side only): it runs, generates its tokens and
/// reports the time and peak RSS in its line and JSON record. The full-size `blip2-caption`
/// case needs about 16 GB and is not run by tests (docs/PERFORMANCE.md).
@Suite struct BenchCaptionCaseTests {
    @Test func tinyCaptionCaseReportsTimeAndPeakMemory() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ForwardCommandTests.executable.path), "build first: swift build --build-tests")
        let json = ForwardCommandTests.temporaryPath("bench.jsonl")
        defer { try? FileManager.default.removeItem(atPath: json) }
        let run = try ForwardCommandTests.run(["bench", "--case", "blip2-caption-tiny", "--python", "none", "--repeats", "1", "--rounds", "1",
                                               "--json", json])
        #expect(run.status == 0, "stderr: \(run.error)")
        #expect(run.output.hasPrefix("blip2-caption-tiny: swift ") && run.output.contains("peak RSS swift") && run.output.contains("(16 new tokens)"),
                "\(run.output)")
        let line = try #require(String(decoding: try Data(contentsOf: URL(fileURLWithPath: json)), as: UTF8.self).split(separator: "\n").first)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(record["case"] as? String == "blip2-caption-tiny")
        #expect((record["swift_peak_rss_kb"] as? Int ?? 0) > 0 && (record["swift_seconds"] as? [Double])?.count == 1)

        // The full-size case is listed, but not run by default.
        let help = try ForwardCommandTests.run(["bench", "--help"])
        #expect(help.output.contains("blip2-caption (BLIP-2 OPT-2.7b caption"))
    }
}
