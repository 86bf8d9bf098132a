import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One step of an HTTP exchange, as delivered by URLSession.
enum TransferEvent: Sendable {
    case response(HTTPURLResponse)
    case bytes(Data)
}

/// Forwards URLSession callbacks into an `AsyncThrowingStream`. Holds only immutable, Sendable
/// state (the continuation), so it is Sendable without locks. Redirects are never followed here:
/// `HubTransport` follows them itself, to read hub headers on the redirect and to drop the token
/// when a redirect leaves the hub's host.
final class StreamingTaskDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let continuation: AsyncThrowingStream<TransferEvent, Error>.Continuation

    init(continuation: AsyncThrowingStream<TransferEvent, Error>.Continuation) {
        self.continuation = continuation
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        if let response = response as? HTTPURLResponse {
            continuation.yield(.response(response))
            completionHandler(.allow)
        } else {
            continuation.finish(throwing: URLError(.badServerResponse))
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        continuation.yield(.bytes(data))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error {
            continuation.finish(throwing: error)
        } else {
            continuation.finish()
        }
        session.finishTasksAndInvalidate()
    }
}

/// An HTTP answer whose body is still arriving.
struct StreamingResponse {
    var response: HTTPURLResponse
    var url: URL
    var body: AsyncThrowingStream<TransferEvent, Error>.AsyncIterator
}

/// HTTP for the hub client: authorization, timeouts, manual redirects, streamed bodies.
struct HubTransport: Sendable {
    let configuration: HubConfiguration

    /// Sends one request; never follows redirects. The stream ends when the transfer ends;
    /// cancelling the consuming task cancels the transfer.
    func send(_ request: URLRequest) -> AsyncThrowingStream<TransferEvent, Error> {
        AsyncThrowingStream { continuation in
            let sessionConfiguration = URLSessionConfiguration.ephemeral
            sessionConfiguration.timeoutIntervalForRequest = configuration.requestTimeout
            sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
            sessionConfiguration.urlCache = nil
            let delegate = StreamingTaskDelegate(continuation: continuation)
            let session = URLSession(configuration: sessionConfiguration, delegate: delegate, delegateQueue: nil)
            let task = session.dataTask(with: request)
            continuation.onTermination = { termination in
                if case .cancelled = termination {
                    task.cancel()
                    session.invalidateAndCancel()
                }
            }
            task.resume()
        }
    }

    /// Builds a request with the hub headers; the token goes only to the hub's own host.
    func makeRequest(url: URL, method: String, range: Int64? = nil) -> URLRequest {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData,
                                 timeoutInterval: configuration.requestTimeout)
        request.httpMethod = method
        request.setValue("semantic-draw-hub/1.0", forHTTPHeaderField: "User-Agent")
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if let token = configuration.token, url.host == configuration.endpoint.host, url.port == configuration.endpoint.port {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        if let range, range > 0 {
            request.setValue("bytes=\(range)-", forHTTPHeaderField: "Range")
        }
        return request
    }

    /// Sends a request and waits for the status line and headers.
    /// - Parameter followRedirects: follow up to 10 redirects (GET of LFS files); HEAD stops at the first.
    func open(url: URL, method: String, range: Int64? = nil, followRedirects: Bool) async throws -> StreamingResponse {
        var currentURL = url
        for _ in 0..<10 {
            let stream = send(makeRequest(url: currentURL, method: method, range: range))
            var iterator = stream.makeAsyncIterator()
            var response: HTTPURLResponse?
            while response == nil {
                guard let event = try await iterator.next() else {
                    try Task.checkCancellation()
                    throw URLError(.badServerResponse)
                }
                if case .response(let received) = event { response = received }
            }
            guard let response else { throw URLError(.badServerResponse) }
            if followRedirects, (300..<400).contains(response.statusCode), response.statusCode != 304,
               let location = response.value(forHTTPHeaderField: "Location"),
               let next = URL(string: location, relativeTo: currentURL)?.absoluteURL {
                currentURL = next
                continue
            }
            return StreamingResponse(response: response, url: currentURL, body: iterator)
        }
        throw URLError(.httpTooManyRedirects)
    }

    /// Sends a request and collects the whole (small) body: API calls and HEAD requests.
    func fetch(url: URL, method: String, followRedirects: Bool) async throws -> (HTTPURLResponse, Data) {
        var opened = try await open(url: url, method: method, followRedirects: followRedirects)
        var body = Data()
        while let event = try await opened.body.next() {
            if case .bytes(let data) = event { body.append(data) }
        }
        try Task.checkCancellation()
        return (opened.response, body)
    }
}
