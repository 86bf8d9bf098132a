import Foundation
import ImageCodecs
import Testing

/// Corrupt and truncated input gives `ImageCodecError`s naming the source, never a crash.
@Suite struct PNGCorruptInputTests {
    static func validFile() throws -> Data {
        let pixels = (0..<(16 * 16 * 4)).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        let image = try Image(width: 16, height: 16, channels: 4, pixels: pixels)
        return try PNG.encode(image, textChunks: ["semantic-draw": "{\"version\": 1}"])
    }

    @Test func rejectsEveryTruncation() throws {
        let valid = try Self.validFile()
        for length in Set([0, 1, 7, 8, 9, 20, 33, 40, 60, valid.count / 2, valid.count - 13, valid.count - 1]) {
            let truncated = valid.prefix(length)
            #expect(throws: ImageCodecError.self, "decode of \(length) bytes") { try PNG.decode(data: truncated) }
            #expect(throws: ImageCodecError.self, "text of \(length) bytes") { try PNG.textChunks(data: truncated) }
        }
    }

    @Test func rejectsRandomBytes() throws {
        var state: UInt64 = 12345
        for trial in 0..<50 {
            let count = 1 + trial * 17
            var bytes = (0..<count).map { _ -> UInt8 in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
            if trial.isMultiple(of: 2) { bytes = PNG.signature + bytes } // get past the signature check
            #expect(throws: ImageCodecError.self) { try PNG.decode(data: Data(bytes)) }
            #expect(throws: ImageCodecError.self) { try PNG.textChunks(data: Data(bytes)) }
        }
    }

    @Test func rejectsFlippedBytes() throws {
        let valid = try Self.validFile()
        // Every byte after the signature flipped in turn: the CRC check or libpng must object
        // (or, for bytes libpng tolerates, decoding must still not crash).
        var errors = 0
        for index in stride(from: 8, to: valid.count, by: 3) {
            var corrupt = valid
            corrupt[index] ^= 0x5A
            do { _ = try PNG.decode(data: corrupt) } catch is ImageCodecError { errors += 1 }
            #expect(throws: ImageCodecError.self) { try PNG.textChunks(data: corrupt) }
        }
        #expect(errors > 0)
    }

    @Test func namesTheSourceInErrors() throws {
        #expect(throws: ImageCodecError.corrupt(source: "data", reason: "it does not start with the PNG signature")) {
            try PNG.decode(data: Data("GIF89a".utf8))
        }
        let missing = "/nonexistent-folder/mask.png"
        #expect(throws: ImageCodecError.unreadableFile(path: missing, reason: "no such file")) { try PNG.read(path: missing) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("image-codecs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.png")
        try Data("not a png".utf8).write(to: text)
        do {
            _ = try PNG.read(path: text.path)
            Issue.record("a text file decoded as PNG")
        } catch let error as ImageCodecError {
            #expect(error.description.contains(text.path))
        }
        #expect(throws: ImageCodecError.self) { try PNG.read(path: folder.path) }
    }

    @Test func leavesNothingBehindWhenWritingFails() throws {
        let image = try Image(width: 2, height: 2, channels: 1, repeating: 0)
        let path = "/nonexistent-folder-\(UUID().uuidString)/out.png"
        #expect(throws: ImageCodecError.self) { try PNG.write(image, to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
        // A text keyword error happens before anything is written.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("image-codecs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ImageCodecError.self) { try PNG.write(image, to: folder.appendingPathComponent("a.png").path, textChunks: ["": "x"]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func rejectsInconsistentImages() {
        #expect(throws: ImageCodecError.self) { try Image(width: 2, height: 2, channels: 3, pixels: [0, 1]) }
        #expect(throws: ImageCodecError.self) { try Image(width: 2, height: 2, channels: 2, repeating: 0) }
        #expect(throws: ImageCodecError.self) { try Image(width: 0, height: 2, channels: 1, repeating: 0) }
    }
}
