import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import Hub

/// One file of the fake hub.
struct FakeHubFile: Sendable {
    var path: String
    var content: [UInt8]
    /// LFS files answer HEAD/GET on `resolve` with a 302 to `/lfs-storage/<sha256>` and carry
    /// `X-Linked-Etag` (sha256) and `X-Linked-Size`, as huggingface.co does.
    var isLargeFileStorage: Bool

    var etag: String {
        if isLargeFileStorage {
            var digest = SHA256()
            digest.update(content)
            return digest.finalizeHex()
        }
        var digest = SHA1()
        digest.update(Array("blob \(content.count)\u{0}".utf8))
        digest.update(content)
        return digest.finalizeHex()
    }
}

/// A small HTTP/1.1 server over Glibc sockets that imitates huggingface.co for one repo:
/// `GET /api/models/{repo}/revision/{revision}`, `HEAD`/`GET /{repo}/resolve/{revision}/{path}`
/// (302 to `/lfs-storage/<sha256>` for LFS files), Range requests (206), and injectable
/// failures. Listens on 127.0.0.1 with a port chosen by the kernel; every connection is served on
/// its own thread with 5-second socket timeouts, one request per connection (`Connection: close`).
final class FakeHubServer: @unchecked Sendable {
    let repo: String
    let commit: String
    private let files: [String: FakeHubFile]
    private let lock = NSLock()
    private var listeningSocket: Int32 = -1
    private var stopped = false
    private var acceptThreadDone = DispatchSemaphore(value: 0)
    private(set) var port: UInt16 = 0

    // Failure injection and request log, guarded by `lock`.
    private var cutAfterBytesOnce: [String: Int] = [:]
    private var corruptPaths: Set<String> = []
    private var rangeIgnoredPaths: Set<String> = []
    private var requiredToken: String?
    private var log: [String] = []

    init(repo: String, commit: String, files: [FakeHubFile]) {
        self.repo = repo
        self.commit = commit
        self.files = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0) })
    }

    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Every request as "METHOD /path [Range]".
    var requests: [String] { lock.withLock { log } }

    /// The next GET of this file's content sends only `bytes` bytes and closes the connection.
    func cutConnection(path: String, afterBytes bytes: Int) { lock.withLock { cutAfterBytesOnce[path] = bytes } }
    /// This file's content is served with one byte changed.
    func serveCorrupt(path: String) { lock.withLock { _ = corruptPaths.insert(path) } }
    /// GETs of this file ignore `Range` (200 with the whole content), as some servers do.
    func ignoreRange(path: String) { lock.withLock { _ = rangeIgnoredPaths.insert(path) } }
    /// Requests without `Authorization: Bearer <token>` get 401.
    func requireToken(_ token: String) { lock.withLock { requiredToken = token } }

    func start() throws {
        let fileDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fileDescriptor >= 0 else { throw POSIXError(.EIO) }
        var reuse: Int32 = 1
        setsockopt(fileDescriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(0).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fileDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fileDescriptor, 64) == 0 else {
            close(fileDescriptor)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listeningSocket = fileDescriptor
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops accepting and waits (at most 2 s) for the accept thread to end.
    func stop() {
        let alreadyStopped = lock.withLock { () -> Bool in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped, listeningSocket >= 0 else { return }
        _ = acceptThreadDone.wait(timeout: .now() + 2)
        close(listeningSocket)
    }

    private func acceptLoop() {
        defer { acceptThreadDone.signal() }
        while !lock.withLock({ stopped }) {
            var descriptor = pollfd(fd: listeningSocket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let connection = accept(listeningSocket, nil, nil)
            guard connection >= 0 else { continue }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            Thread { [self] in
                serve(connection)
                close(connection)
            }.start()
        }
    }

    // MARK: - HTTP

    private struct Request {
        var method: String
        var path: String
        var headers: [String: String]
    }

    private func readRequest(_ connection: Int32) -> Request? {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let terminator: [UInt8] = [13, 10, 13, 10]
        while received.count < 65536 {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            received.append(contentsOf: chunk[0..<count])
            if received.count >= 4, (0...(received.count - 4)).contains(where: { Array(received[$0..<($0 + 4)]) == terminator }) { break }
        }
        guard let text = String(bytes: received, encoding: .utf8) else { return nil }
        let lines = text.components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers)
    }

    private func send(_ connection: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    private func respond(_ connection: Int32, status: Int, headers: [String: String], body: [UInt8] = [],
                         isHead: Bool = false, contentLength: Int? = nil) {
        let reasons = [200: "OK", 206: "Partial Content", 302: "Found", 401: "Unauthorized",
                       404: "Not Found", 416: "Range Not Satisfiable"]
        var head = "HTTP/1.1 \(status) \(reasons[status] ?? "Status")\r\n"
        var allHeaders = headers
        allHeaders["Content-Length"] = String(contentLength ?? body.count)
        allHeaders["Connection"] = "close"
        for (name, value) in allHeaders.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        send(connection, Array(head.utf8) + (isHead ? [] : body))
    }

    private func serve(_ connection: Int32) {
        guard let request = readRequest(connection) else { return }
        let range = request.headers["range"]
        let token = lock.withLock { () -> String? in
            log.append("\(request.method) \(request.path)" + (range.map { " \($0)" } ?? ""))
            return requiredToken
        }
        let isHead = request.method == "HEAD"
        let path = request.path.removingPercentEncoding ?? request.path

        if path.hasPrefix("/lfs-storage/") {
            let sha = String(path.dropFirst("/lfs-storage/".count))
            guard let file = files.values.first(where: { $0.isLargeFileStorage && $0.etag == sha }) else {
                respond(connection, status: 404, headers: [:])
                return
            }
            serveContent(connection, file: file, range: range, isHead: isHead, extraHeaders: ["ETag": "\"\(sha)\""])
            return
        }
        if let token, request.headers["authorization"] != "Bearer \(token)" {
            respond(connection, status: 401, headers: ["X-Error-Code": "GatedRepo"], body: Array("gated".utf8))
            return
        }
        let apiPrefix = "/api/models/\(repo)/revision/"
        if path.hasPrefix("/api/models/") {
            guard path.hasPrefix(apiPrefix) else {
                respond(connection, status: 404, headers: ["X-Error-Code": "RepoNotFound"])
                return
            }
            let revision = String(path.dropFirst(apiPrefix.count)).split(separator: "?").first.map(String.init) ?? ""
            guard revision == "main" || revision == commit else {
                respond(connection, status: 404, headers: ["X-Error-Code": "RevisionNotFound"])
                return
            }
            let siblings = files.keys.sorted().map { ["rfilename": $0] }
            let json = (try? JSONSerialization.data(withJSONObject: ["id": repo, "sha": commit, "siblings": siblings] as [String: Any])) ?? Data()
            respond(connection, status: 200, headers: ["Content-Type": "application/json"], body: Array(json))
            return
        }
        let resolvePrefix = "/\(repo)/resolve/"
        guard path.hasPrefix(resolvePrefix) else {
            respond(connection, status: 404, headers: ["X-Error-Code": "RepoNotFound"])
            return
        }
        let rest = path.dropFirst(resolvePrefix.count)
        guard let slash = rest.firstIndex(of: "/") else {
            respond(connection, status: 404, headers: [:])
            return
        }
        let revision = String(rest[..<slash])
        let filePath = String(rest[rest.index(after: slash)...])
        guard revision == "main" || revision == commit else {
            respond(connection, status: 404, headers: ["X-Error-Code": "RevisionNotFound"])
            return
        }
        guard let file = files[filePath] else {
            respond(connection, status: 404, headers: ["X-Error-Code": "EntryNotFound", "X-Repo-Commit": commit])
            return
        }
        if file.isLargeFileStorage {
            respond(connection, status: 302, headers: [
                "Location": "http://127.0.0.1:\(port)/lfs-storage/\(file.etag)",
                "X-Repo-Commit": commit,
                "X-Linked-Etag": "\"\(file.etag)\"",
                "X-Linked-Size": String(file.content.count),
                "ETag": "\"\(String(file.etag.prefix(40)))-redirect\"",
            ], isHead: isHead)
            return
        }
        serveContent(connection, file: file, range: range, isHead: isHead,
                     extraHeaders: ["ETag": "\"\(file.etag)\"", "X-Repo-Commit": commit])
    }

    private func serveContent(_ connection: Int32, file: FakeHubFile, range: String?, isHead: Bool, extraHeaders: [String: String]) {
        var content = file.content
        let (corrupt, cut, ignoresRange) = lock.withLock { () -> (Bool, Int?, Bool) in
            let cut = isHead ? nil : cutAfterBytesOnce.removeValue(forKey: file.path)
            return (corruptPaths.contains(file.path), cut, rangeIgnoredPaths.contains(file.path))
        }
        if corrupt, !content.isEmpty { content[content.count / 2] ^= 0xFF }
        var headers = extraHeaders
        var status = 200
        var start = 0
        if !ignoresRange, let range, range.hasPrefix("bytes="), let first = Int(range.dropFirst(6).split(separator: "-").first ?? "") {
            guard first < content.count else {
                respond(connection, status: 416, headers: ["Content-Range": "bytes */\(content.count)"])
                return
            }
            status = 206
            start = first
            headers["Content-Range"] = "bytes \(first)-\(content.count - 1)/\(content.count)"
        }
        let body = Array(content[start...])
        if let cut {
            // Announce the whole body, send part of it, hang up.
            respond(connection, status: status, headers: headers, body: Array(body.prefix(cut)), contentLength: body.count)
            return
        }
        respond(connection, status: status, headers: headers, body: body, isHead: isHead)
    }
}
