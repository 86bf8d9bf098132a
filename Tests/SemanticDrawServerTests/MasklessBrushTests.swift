import Foundation
import ImageCodecs
import SemanticDraw
@testable import SemanticDrawServer
import Testing

/// A palette brush without a mask, through the server as `generate` reads it (docs/PALETTE.md):
/// it covers the canvas like an all-white mask among several brushes, and alone it is plain
/// text-to-image. One-shot generation and a session's `palette` import both accept it.
@Suite(.serialized, .timeLimit(.minutes(2))) struct MasklessBrushTests {
    static let white = Result { try PNG.encode(Image(width: 64, height: 64, channels: 1, repeating: 255)) }
    static let left = Result { try PNG.encode(Image(width: 64, height: 64, channels: 1, pixels: (0..<4096).map { $0 % 64 < 32 ? 255 : 0 })) }

    /// Two brushes: a sky whose mask is `skyMask` (nil: none) and a boat on the left half.
    static func palette(skyMask: ImageReference?) throws -> Palette {
        Palette(width: 64, height: 64, seed: 9, model: "ignored", brushes: [
            Palette.Brush(name: "sky", color: "#0000FF", prompt: "blue sky", mask: skyMask, maskBlur: 2),
            Palette.Brush(name: "boat", color: "#FF0000", prompt: "a red boat", mask: .data(try left.get()), maskBlur: 2),
        ])
    }

    @Test func oneShotGenerationTakesABrushWithoutAMask() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let (status, maskless, _) = try await HTTPEndpointTests.request(server, "/api/generate", method: "POST",
                                                                       body: try Self.palette(skyMask: nil).encode())
        #expect(status == 200, "\(String(decoding: maskless.prefix(300), as: UTF8.self))")
        let (_, allWhite, _) = try await HTTPEndpointTests.request(server, "/api/generate", method: "POST",
                                                                  body: try Self.palette(skyMask: .data(try Self.white.get())).encode())
        #expect(try PNG.decode(data: maskless) == PNG.decode(data: allWhite), "no mask must paint as an all-white mask")
        // Alone, a brush without a mask is plain text-to-image.
        let single = Palette(width: 64, height: 64, seed: 9, model: "ignored",
                             brushes: [Palette.Brush(name: "cat", color: "#000000", prompt: "a cat", mask: nil)])
        let (singleStatus, png, _) = try await HTTPEndpointTests.request(server, "/api/generate", method: "POST", body: try single.encode())
        #expect(singleStatus == 200)
        let embedded = try Palette.decode(data: Data(try #require(try PNG.textChunks(data: png)[Palette.pngTextKeyword]).utf8), baseFolder: nil)
        #expect(embedded.brushes.count == 1 && embedded.brushes[0].mask == nil)
    }

    /// Imports `palette`, plays 3 frames, saves; returns the frames and the saved palette.
    static func importAndPlay(_ server: TestServer, _ palette: Palette) async throws -> (frames: [Data], saved: Palette) {
        let box = ResultBox()
        let message = #"{"type": "palette", "palette": "# + String(decoding: try palette.encode(), as: UTF8.self) + "}"
        try await server.session { conversation in
            _ = try await conversation.next("ready")
            try await conversation.sendRaw(message)
            // The `state` that answers the import (an earlier one may still report the empty palette).
            var messages: [[String: Any]] = []
            while (messages.last?["brushes"] as? [String] ?? []).isEmpty {
                messages += try await conversation.messages(through: "state")
                #expect(!messages.contains { $0["type"] as? String == "error" }, "\(messages)")
                if messages.contains(where: { $0["type"] as? String == "error" }) { return }
            }
            #expect(messages.last?["brushes"] as? [String] == ["brush-1", "brush-2"])
            try await conversation.send(["type": "play"])
            for _ in 0..<3 { box.frames.append(try await conversation.nextFrame().jpeg) }
            try await conversation.send(["type": "pause"])
            try await conversation.send(["type": "save"])
            let saved = try await conversation.next("saved")
            box.url = (saved["entry"] as? [String: Any])?["url"] as? String
        }
        let (_, png, _) = try await HTTPEndpointTests.request(server, try #require(box.url))
        let saved = try Palette.decode(data: Data(try #require(try PNG.textChunks(data: png)[Palette.pngTextKeyword]).utf8), baseFolder: nil)
        return (box.frames, saved)
    }

    final class ResultBox: @unchecked Sendable {
        var frames: [Data] = []
        var url: String?
    }

    @Test func aSessionImportsABrushWithoutAMask() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let maskless = try await Self.importAndPlay(server, try Self.palette(skyMask: nil))
        let allWhite = try await Self.importAndPlay(server, try Self.palette(skyMask: .data(try Self.white.get())))
        #expect(maskless.frames == allWhite.frames, "the stream must paint no mask as an all-white mask")
        // Saved as it came: still no mask (generate reads it the same way), the other mask kept.
        #expect(maskless.saved.brushes.map(\.prompt) == ["blue sky", "a red boat"])
        #expect(maskless.saved.brushes[0].mask == nil && maskless.saved.brushes[1].mask != nil)
    }
}
