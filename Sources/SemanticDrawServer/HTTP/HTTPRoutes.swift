import Foundation
import Hummingbird
import NIOCore
import Schedulers
import SemanticDraw

/// The HTTP side of docs/PROTOCOL.md: the web app's files, info, history, one-shot generation.
struct HTTPRoutes: Sendable {
    let configuration: ServerConfiguration
    let history: HistoryStore
    let worker: FrameWorker
    let oneShot: OneShotGeneration

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let web = WebResources()
        let configuration = configuration, history = history, worker = worker, oneShot = oneShot
        router.get("/") { _, _ in Self.file(web, "index.html") }
        router.get("/:file") { _, context in Self.file(web, context.parameters.get("file") ?? "") }
        router.get("/api/info") { _, _ in
            Self.json(["version": 1, "model": configuration.modelName, "width": configuration.stream.width,
                       "height": configuration.stream.height, "slots": Self.slotCount(configuration.stream.schedule),
                       "limits": configuration.limits.json, "notes": configuration.notes,
                       "captioner": configuration.captioner?.name ?? NSNull()])
        }
        router.get("/api/history") { _, _ in
            let entries = await history.list()
            return Self.json(entries.map(\.json))
        }
        router.get("/api/history/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard name.hasSuffix(".png"), let png = await history.png(id: String(name.dropLast(4))) else {
                return Self.error(.notFound, "no history entry \(name)")
            }
            return Response(status: .ok, headers: [.contentType: "image/png",
                                                   .contentDisposition: "attachment; filename=\"semantic-draw-\(name)\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        router.post("/api/generate") { request, _ in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: configuration.limits.generateBodyBytes)
            } catch {
                return Self.error(.contentTooLarge, "the palette is larger than \(configuration.limits.generateBodyBytes) bytes")
            }
            do {
                let png = try await worker.exclusive { try oneShot.generate(paletteJSON: Data(buffer: body)) }
                return Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: png)))
            } catch let error as ClientMessageError {
                return Self.error(.badRequest, error.description)
            } catch {
                return Self.error(.internalServerError, "\(error)")
            }
        }
        return router
    }

    static func slotCount(_ schedule: SlotSchedule) -> Int {
        switch schedule {
        case .slots(let slots): return slots.count
        case .steps(let steps): return steps
        }
    }

    static func file(_ web: WebResources, _ name: String) -> Response {
        guard let file = web.files[name] else { return error(.notFound, "no such file: \(name)") }
        return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: file.data)))
    }

    static func json(_ object: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("null".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
