import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP-less TCP exchange with a server on 127.0.0.1: bytes out, everything back
/// until the server closes or a timeout passes. For the tests and the `http-path` fuzz target,
/// which must send requests no HTTP client library would write (malformed request lines,
/// arbitrary bytes).
public enum RawSocketClient {
    /// What came back on one connection.
    public struct Answer: Sendable {
        /// Every byte received.
        public let bytes: [UInt8]
        /// Whether the server closed the connection (false: the timeout passed first, or the read failed).
        public let closed: Bool

        /// The bytes as UTF-8 text.
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// Sends `request` on a fresh connection to 127.0.0.1:`port` (with `MSG_NOSIGNAL`, so a server
    /// closing early cannot raise SIGPIPE) and reads until the server closes or `timeoutSeconds`
    /// pass without data. Nil when no connection could be made or the request was not sent whole.
    /// Blocks the calling thread: async callers run it on a Dispatch thread (``exchange(port:_:timeoutSeconds:)-async``).
    public static func blockingExchange(port: Int, _ request: [UInt8], timeoutSeconds: Int = 10) -> Answer? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return nil }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return Answer(bytes: received, closed: true) }
            if count < 0 { return Answer(bytes: received, closed: false) }
            received += buffer[0..<count]
        }
    }

    /// ``blockingExchange(port:_:timeoutSeconds:)`` on a Dispatch thread, so the blocking socket
    /// calls never hold a thread of Swift's cooperative pool (on which an in-process server runs).
    public static func exchange(port: Int, _ request: [UInt8], timeoutSeconds: Int = 10) async -> Answer? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: blockingExchange(port: port, request, timeoutSeconds: timeoutSeconds))
            }
        }
    }
}
