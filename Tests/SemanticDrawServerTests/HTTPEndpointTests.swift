import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ImageCodecs
import SemanticDraw
@testable import SemanticDrawServer
import Testing

/// The HTTP side of docs/PROTOCOL.md: the page, info, one-shot generation, history kept on disk.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HTTPEndpointTests {
    static func request(_ server: TestServer, _ path: String, method: String = "GET", body: Data? = nil) async throws -> (Int, Data, String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, data, http?.value(forHTTPHeaderField: "Content-Type") ?? "")
    }

    static func palette(maskReference: ImageReference, seed: UInt64 = 5) throws -> Data {
        let palette = Palette(width: 64, height: 64, seed: seed, model: "ignored",
                              brushes: [Palette.Brush(name: "a", color: "#FF0000", prompt: "a red apple", mask: maskReference)])
        return try palette.encode(embeddingMasks: false)
    }

    @Test func pageInfoAndOneShotGeneration() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let (status, page, type) = try await Self.request(server, "/")
        #expect(status == 200 && type.hasPrefix("text/html") && String(decoding: page, as: UTF8.self).contains("<html"))
        let (scriptStatus, _, scriptType) = try await Self.request(server, "/app.js")
        #expect(scriptStatus == 200 && scriptType.hasPrefix("text/javascript"))
        #expect(try await Self.request(server, "/..%2FPackage.swift").0 == 404)
        let (infoStatus, info, _) = try await Self.request(server, "/api/info")
        let object = try JSONSerialization.jsonObject(with: info) as? [String: Any]
        #expect(infoStatus == 200 && object?["width"] as? Int == 64 && object?["model"] as? String == "tiny-random")

        // One-shot: the palette's image, deterministic, palette embedded with the server's model.
        let mask = try PNG.encode(Image(width: 64, height: 64, channels: 1, pixels: (0..<4096).map { $0 % 64 < 32 ? 255 : 0 }))
        let body = try Self.palette(maskReference: .data(mask))
        let (first, png, pngType) = try await Self.request(server, "/api/generate", method: "POST", body: body)
        #expect(first == 200 && pngType == "image/png", "\(String(decoding: png, as: UTF8.self).prefix(300))")
        let (_, again, _) = try await Self.request(server, "/api/generate", method: "POST", body: body)
        #expect(png == again)
        let chunks = try PNG.textChunks(data: png)
        let embedded = try Palette.decode(data: Data(try #require(chunks[Palette.pngTextKeyword]).utf8), baseFolder: nil)
        #expect(embedded.model == "tiny-random" && embedded.seed == 5)
    }

    @Test func oneShotRefusesFilesAndBadPalettes() async throws {
        var limits = ServerLimits()
        limits.generateBodyBytes = 4096
        let server = try await TestServer.start(limits: limits)
        defer { server.stop() }
        let fileReference = try Self.palette(maskReference: .file("/etc/passwd"))
        let (status, body, _) = try await Self.request(server, "/api/generate", method: "POST", body: fileReference)
        #expect(status == 400 && String(decoding: body, as: UTF8.self).contains("the server reads no files"))
        let (badStatus, badBody, _) = try await Self.request(server, "/api/generate", method: "POST", body: Data("{\"version\": 9}".utf8))
        #expect(badStatus == 400 && String(decoding: badBody, as: UTF8.self).contains("error"))
        let (largeStatus, _, _) = try await Self.request(server, "/api/generate", method: "POST", body: Data(repeating: 32, count: 10_000))
        #expect(largeStatus == 413)
    }

    /// `save` writes the latest frame with its palette under the data folder; a server started
    /// again on the same folder lists and serves it.
    @Test func historyIsKeptAcrossRestarts() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-history-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try await TestServer.start(dataDirectory: folder)
        try await first.session { conversation in
            _ = try await conversation.next("ready")
            try await conversation.send(["type": "save"])
            #expect((try await conversation.next("error")["message"] as? String)?.contains("no frame yet") == true)
            try await conversation.send(["type": "brush", "id": "a", "prompt": "a boat"])
            try await conversation.send(["type": "mask", "id": "a", "mask": try maskDataURL { x, _ in x < 20 }])
            try await conversation.send(["type": "play"])
            _ = try await conversation.nextFrame()
            try await conversation.send(["type": "save"])
            let saved = try await conversation.next("saved")
            #expect(((saved["entry"] as? [String: Any])?["prompts"] as? [String]) == ["a boat"])
        }
        first.task.cancel()
        let second = try await TestServer.start(dataDirectory: folder)
        defer { second.stop() }
        let (_, list, _) = try await Self.request(second, "/api/history")
        let entries = try #require(try JSONSerialization.jsonObject(with: list) as? [[String: Any]])
        #expect(entries.count == 1)
        let url = try #require(entries.first?["url"] as? String)
        let (status, png, _) = try await Self.request(second, url)
        #expect(status == 200)
        let palette = try Palette.decode(data: Data(try #require(try PNG.textChunks(data: png)[Palette.pngTextKeyword]).utf8), baseFolder: nil)
        #expect(palette.brushes.map(\.prompt) == ["a boat"])
        #expect(try await Self.request(second, "/api/history/..%2F..%2Fetc%2Fpasswd.png").0 == 404)
    }
}
