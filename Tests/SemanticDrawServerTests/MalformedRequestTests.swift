import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import SemanticDrawServer
import Testing

/// Requests the HTTP parser rejects get `400 Bad Request` and a closed connection, not silence
/// (the `http-path` fuzz finding: `Tests/Fixtures/fuzz/http-path-no-answer`).
@Suite(.serialized, .timeLimit(.minutes(2))) struct MalformedRequestTests {
    /// Sends `bytes` on a fresh TCP connection and reads until the server closes it or 10 s pass,
    /// on a Dispatch thread (the blocking socket calls must not hold a thread of Swift's
    /// cooperative pool, on which the server runs). Returns what came back and whether the server
    /// closed the connection.
    static func exchange(port: Int, _ bytes: [UInt8]) async throws -> (answer: String, closed: Bool) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingExchange(port: port, bytes) })
            }
        }
    }

    static func blockingExchange(port: Int, _ bytes: [UInt8]) throws -> (answer: String, closed: Bool) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(connected == 0)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if count < 0 { return (String(decoding: received, as: UTF8.self), false) }
            received += buffer[0..<count]
        }
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
