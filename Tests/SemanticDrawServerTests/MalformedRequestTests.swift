import Foundation
import RawSocketClient
@testable import SemanticDrawServer
import Testing

/// Requests the HTTP parser rejects get `400 Bad Request` and a closed connection, not silence
/// (the `http-path` fuzz finding: `Tests/Fixtures/fuzz/http-path-no-answer`).
@Suite(.serialized, .timeLimit(.minutes(2))) struct MalformedRequestTests {
    /// Sends `bytes` on a fresh TCP connection and reads until the server closes it or 10 s pass
    /// (on a Dispatch thread: the server runs on Swift's cooperative pool). Returns what came back
    /// and whether the server closed the connection.
    static func exchange(port: Int, _ bytes: [UInt8]) async throws -> (answer: String, closed: Bool) {
        let answer = try #require(await RawSocketClient.exchange(port: port, bytes), "no connection to port \(port)")
        return (answer.text, answer.closed)
    }

    @Test func rejectedRequestLinesAreAnsweredAndClosed() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz/http-path-no-answer")
        let finding = try [UInt8](Data(contentsOf: fixture))
        let requests: [[UInt8]] = [
            Array("GET ".utf8) + finding + Array(" HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
            Array("GET /\u{FF} HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
            Array("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
            Array("GARBAGE\r\n\r\n".utf8),
        ]
        for request in requests {
            let (answer, closed) = try await Self.exchange(port: server.port, request)
            #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request"), "\(request.prefix(24)): \(answer.prefix(200))")
            #expect(closed, "\(request.prefix(24)): the connection stayed open")
        }
        // A well-formed request on the same server is still served.
        let (answer, _) = try await Self.exchange(port: server.port, Array("GET /api/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(200))")
    }
}
