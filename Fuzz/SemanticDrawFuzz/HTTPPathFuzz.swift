import Foundation
import ImageCodecs
import RawSocketClient
import SemanticDraw
@testable import SemanticDrawServer

/// HTTP paths: a real `semantic-draw serve` (tiny-random, port 0, a data folder holding one
/// history entry) answers `GET <input>` over a socket, through Hummingbird's router, the web app's
/// file table and the history's id check. The invariant is the one that matters for paths: a
/// `200` carries only what the server means to serve (a web app file, the history image, or JSON
/// from `/api/`), never another file.
enum HTTPPathFuzz {
    nonisolated(unsafe) static var port = 0
    nonisolated(unsafe) static var servedBodies: Set<Data> = []

    static let target = FuzzTarget(name: "http-path", prepare: prepare, run: { data in
        var path = [UInt8](data.prefix(2048)).filter { $0 != 0x0D && $0 != 0x0A && $0 != 0x20 && $0 != 0 }
        if path.first != UInt8(ascii: "/") { path.insert(UInt8(ascii: "/"), at: 0) }
        let request = Data("GET ".utf8) + Data(path) + Data(" HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n".utf8)
        guard let response = exchange(request) else {
            FuzzCheck.require(false, "no answer to GET \(String(decoding: path, as: UTF8.self))")
            return
        }
        let text = String(decoding: response.prefix(4096), as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200") else { return }
        guard let split = response.range(of: Data("\r\n\r\n".utf8)) else { return }
        let body = response[split.upperBound...]
        let isJSON = text.lowercased().contains("content-type: application/json")
        // The router ignores empty path components (`//api/info` is `/api/info`), so an API path
        // is one whose first non-empty component is `api`.
        let isAPIPath = String(decoding: path, as: UTF8.self).split(separator: "/", omittingEmptySubsequences: true).first == "api"
        FuzzCheck.require(servedBodies.contains(Data(body)) || (isJSON && isAPIPath),
                          "GET \(String(decoding: path, as: UTF8.self)) served \(body.count) bytes the server does not serve")
    })

    static func prepare() {
        let folder = FuzzCheck.scratchFolder("http-path")
        let history = folder + "/history"
        try? FileManager.default.createDirectory(atPath: history, withIntermediateDirectories: true)
        let png = (try? PNGMaskSeed.png(width: 8, height: 8, value: 200)) ?? Data()
        _ = FileManager.default.createFile(atPath: history + "/20260101-000000-abcdef12.png", contents: png)
        let entry = #"{"id":"20260101-000000-abcdef12","created":"2026-01-01T00:00:00Z","prompts":["a"]}"#
        _ = FileManager.default.createFile(atPath: history + "/20260101-000000-abcdef12.json", contents: Data(entry.utf8))
        servedBodies = Set(WebResources().files.values.map(\.data)).union([png])
        let started = DispatchSemaphore(value: 0)
        Task {
            do {
                let model = try await ModelLoader(hub: nil).load(ModelRequest(model: "tiny-random", tinyAutoencoder: "tiny-random"))
                var configuration = ServerConfiguration(stream: StreamSettings(height: 64, width: 64), dataDirectory: folder, modelName: "tiny-random")
                configuration.port = 0
                try await SemanticDrawServer(model: model, configuration: configuration).run(onStart: { port = $0; started.signal() })
            } catch {
                FileHandle.standardError.write(Data("http-path: the server did not start: \(error)\n".utf8))
                exit(2)
            }
        }
        started.wait()
    }

    /// Sends `request` on a new connection and reads the answer to its end (nil: no answer in 10 s).
    static func exchange(_ request: Data) -> Data? {
        guard let answer = RawSocketClient.blockingExchange(port: port, [UInt8](request)) else { return nil }
        return answer.closed || !answer.bytes.isEmpty ? Data(answer.bytes) : nil
    }
}
