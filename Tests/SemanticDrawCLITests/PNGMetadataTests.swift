import Foundation
import ImageCodecs
import Testing

/// Where `generate` and `panorama` put their metadata: the A1111 `parameters` text (`tEXt` when
/// Latin-1) and the palette (`iTXt` `semantic-draw`, or `semantic-draw-panorama`), in that order,
/// between the header and the first IDAT, so tools that stop at the image data see them.
/// Tools/check_png_metadata.py ran the same commands and found both in Pillow's
/// `Image.open(path).info` without loading the image (and neither once moved after IDAT); it kept
/// those PNGs (Tests/Fixtures/png-metadata). This test reruns the commands and requires the same
/// chunk layout and the same text chunk bytes as those files, so Pillow's verdict still holds.
@Suite struct PNGMetadataTests {
    typealias CLI = ForwardCommandTests
    static let folder = CLI.repository.appendingPathComponent("Tests/Fixtures/png-metadata").path
    static var cases: [String] { GenerateReproductionTests.caseNames(in: folder) ?? [] }

    @Test func fixtureCasesAreLoaded() throws {
        try GenerateReproductionTests.requireCases(in: Self.folder, atLeast: 3)
        let data = try #require(FileManager.default.contents(atPath: Self.folder + "/pillow.json"), "cannot read pillow.json")
        let report = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["cases"] as? [String: [String: Any]])
        for name in Self.cases {
            let keys = report[name]?["info_keys"] as? [String] ?? []
            #expect(keys.contains("parameters") && keys.contains { $0.hasPrefix("semantic-draw") }, "Pillow saw \(keys) for \(name)")
        }
    }

    /// The text chunks before the first IDAT, and whether any text chunk follows it.
    static func layout(_ data: Data) throws -> (types: [String], text: [PNGChunk], textAfterImageData: Bool) {
        let chunks = try PNGChunk.parse(data)
        let imageData = try #require(chunks.firstIndex { $0.type == "IDAT" })
        let isText = { (chunk: PNGChunk) in ["tEXt", "iTXt", "zTXt"].contains(chunk.type) }
        return (chunks[..<imageData].map(\.type), chunks[..<imageData].filter(isText), chunks[imageData...].contains(where: isText))
    }

    @Test(arguments: cases)
    func textChunksStandBeforeTheImageData(name: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.executable.path), "build first: swift build --build-tests")
        let command = try GenerateReproductionTests.options(name, in: Self.folder, fileSuffixes: ["disc.png", "half.png"])
        let output = CLI.temporaryPath("\(name).png")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try CLI.run(command + ["--output", output])
        #expect(run.status == 0, "stderr: \(run.error)")
        let actual = try Self.layout(Data(contentsOf: URL(fileURLWithPath: output)))
        let checked = try Self.layout(Data(contentsOf: URL(fileURLWithPath: Self.folder + "/\(name).png")))
        #expect(actual.types.first == "IHDR" && actual.types.filter { $0 != "sRGB" } == ["IHDR", "tEXt", "iTXt"], "\(actual.types)")
        #expect(!actual.textAfterImageData)
        #expect(actual.text.map { $0.data.prefix { $0 != 0 } } == [Data("parameters".utf8), Data((name == "panorama" ? "semantic-draw-panorama" : "semantic-draw").utf8)])
        #expect(actual.text == checked.text, "the text chunks Pillow was seen reading")
    }
}
