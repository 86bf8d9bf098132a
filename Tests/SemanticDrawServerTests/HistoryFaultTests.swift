import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import SemanticDrawServer
import Testing

/// A disk that fills up: the next `writes` file writes really happen, every later one fails
/// with ENOSPC and writes nothing. ``free(writes:)`` makes room again.
final class FillingDiskWriter: HistoryFileWriting, @unchecked Sendable {
    private let lock = NSLock()
    private var remainingWrites: Int

    init(writes: Int) { remainingWrites = writes }

    func free(writes: Int) { lock.withLock { remainingWrites += writes } }

    func write(_ data: Data, to url: URL) throws {
        try lock.withLock {
            guard remainingWrites > 0 else { throw POSIXError(.ENOSPC) }
            remainingWrites -= 1
        }
        try AtomicHistoryFileWriter().write(data, to: url)
    }
}

/// Faults of the data folder (docs/RELIABILITY.md "Faults"): a `save` that cannot be stored
/// answers an `error` naming the path, leaves no file of it behind, and the stream goes on.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HistoryFaultTests {
    /// Every file under `folder`, relative paths, sorted.
    static func files(under folder: String) -> [String] {
        ((FileManager.default.enumerator(atPath: folder)?.allObjects as? [String]) ?? []).sorted()
    }

    /// Brush, mask, play; waits for the first frame.
    static func play(_ conversation: ProtocolConversation) async throws {
        try await conversation.send(["type": "brush", "id": "a", "prompt": "a boat"])
        try await conversation.send(["type": "mask", "id": "a", "mask": try maskDataURL { x, _ in x < 20 }])
        try await conversation.send(["type": "play"])
        _ = try await conversation.nextFrame()
    }

    /// The data folder cannot hold a history: its `history` is a regular file, or the data
    /// folder's parent is. (Tests may run as root, for whom permission bits do not stop writes.)
    @Test(arguments: ["history-is-a-file", "parent-is-a-file"])
    func anUnwritableDataFolderFailsEachSaveAndTheStreamGoesOn(layout: String) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("semantic-draw-fault-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let dataDirectory: String
        if layout == "history-is-a-file" {
            dataDirectory = root + "/data"
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            try Data("not a folder".utf8).write(to: URL(fileURLWithPath: dataDirectory + "/history"))
        } else {
            try Data("not a folder".utf8).write(to: URL(fileURLWithPath: root + "/file"))
            dataDirectory = root + "/file/data"
        }
        let before = Self.files(under: root)
        let server = try await TestServer.start(dataDirectory: dataDirectory)
        defer { server.task.cancel() }
        try await server.session { conversation in
            let ready = try await conversation.next("ready")
            let notes = ready["notes"] as? [String] ?? []
            #expect(notes.contains { $0.contains("saving is unavailable") && $0.contains(dataDirectory + "/history") }, "\(notes)")
            try await Self.play(conversation)
            try await conversation.send(["type": "save"])
            let error = try await conversation.next("error")
            #expect(error["request"] as? String == "save")
            let message = error["message"] as? String ?? ""
            #expect(message.hasPrefix("save: ") && message.contains(dataDirectory + "/history") && message.contains("--data-dir"), "\(message)")
            // The stream goes on.
            let frame = try await conversation.nextFrame()
            #expect(frame.jpeg.starts(with: [0xFF, 0xD8, 0xFF]))
            try await conversation.send(["type": "pause"])
        }
        #expect(Self.files(under: root) == before)
    }

    /// The disk is full, then fills between the image and its entry: the save fails naming the entry's file,
    /// the image written before it is removed (no half entry), the stream goes on, and once space
    /// is freed the next save works and is the only entry listed.
    @Test func aDiskThatFillsLeavesNoHalfWrittenEntry() async throws {
        let disk = FillingDiskWriter(writes: 0)
        let server = try await TestServer.start(historyFileWriter: disk)
        defer { server.stop() }
        let history = server.dataDirectory + "/history"
        try await server.session { conversation in
            _ = try await conversation.next("ready")
            try await Self.play(conversation)
            // Room for nothing: the image write fails.
            try await conversation.send(["type": "save"])
            let first = try await conversation.next("error")
            #expect(first["request"] as? String == "save")
            let firstMessage = first["message"] as? String ?? ""
            #expect(firstMessage.contains(".png") && firstMessage.contains("No space left on device") && firstMessage.contains("nothing was saved"),
                    "\(firstMessage)")
            #expect(Self.files(under: history).isEmpty)
            // Room for the image but not for the entry's JSON.
            disk.free(writes: 1)
            try await conversation.send(["type": "save"])
            let second = try await conversation.next("error")
            let message = second["message"] as? String ?? ""
            #expect(message.contains(".json") && message.contains(history), "\(second)")
            #expect(Self.files(under: history).isEmpty, "a half-written entry was left")
            _ = try await conversation.nextFrame()          // the stream goes on
            disk.free(writes: 2)
            try await conversation.send(["type": "save"])
            let saved = try await conversation.next("saved")
            let id = try #require((saved["entry"] as? [String: Any])?["id"] as? String)
            #expect(Self.files(under: history) == ["\(id).json", "\(id).png"])
            try await conversation.send(["type": "pause"])
        }
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/api/history")!)
        request.httpMethod = "GET"
        let (data, _) = try await URLSession.shared.data(for: request)
        let entries = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(entries.count == 1)
    }
}
