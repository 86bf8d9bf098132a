import Foundation
import ImageCodecs
@testable import SemanticDrawServer
import Testing

/// The WebSocket protocol against a running server with a real client (docs/PROTOCOL.md).
@Suite(.serialized, .timeLimit(.minutes(2))) struct WebSocketProtocolTests {
    static func left(_ x: Int, _: Int) -> Bool { x < 32 }
    static func right(_ x: Int, _: Int) -> Bool { x >= 32 }

    /// Two brushes on a fixed seed; plays and returns frames 0...count-1, or fewer when `done`
    /// says so first. `update` runs after frame 0.
    static func frames(_ server: TestServer, count: Int, afterFirstFrame update: (@Sendable (ProtocolConversation) async throws -> Void)? = nil,
                       until done: (@Sendable ([(info: [String: Any], jpeg: Data)]) -> Bool)? = nil)
        async throws -> [(info: [String: Any], jpeg: Data)] {
        let collected = FrameBox()
        try await server.session { conversation in
            let ready = try await conversation.next("ready")
            #expect(ready["width"] as? Int == 64 && ready["slots"] as? Int == 5)
            try await conversation.send(["type": "brush", "id": "sky", "prompt": "blue sky", "mask_blur": 2])
            try await conversation.send(["type": "mask", "id": "sky", "mask": try maskDataURL(Self.left)])
            try await conversation.send(["type": "brush", "id": "sea", "prompt": "green sea", "mask_blur": 2])
            try await conversation.send(["type": "mask", "id": "sea", "mask": try maskDataURL(Self.right)])
            try await conversation.send(["type": "play"])
            for index in 0..<count {
                let frame = try await conversation.nextFrame()
                collected.frames.append(frame)
                if index == 0, let update { try await update(conversation) }
                if let done, done(collected.frames) { break }
            }
            try await conversation.send(["type": "pause"])
        }
        return collected.frames
    }

    /// The index of the first frame that reflects a palette change made after frame 0, or nil
    /// when `frames` has none yet. The palette set before `play` leaves frames 0...T-2 stale
    /// (T slots); a change applied at frame k >= 1 (whenever the session reads it: on a loaded
    /// machine many frames later, as the server computes ahead of a slow reader) leaves frames
    /// k...k+T-2 stale, so the first stale frame from T-1 on marks it, and the first reflecting
    /// frame after that mark is k+T-1, the first whose every slot saw the change.
    static func firstFrameReflectingTheChange(_ frames: [(info: [String: Any], jpeg: Data)], slots: Int) -> Int? {
        let reflects = { (index: Int) in frames[index].info["reflects_latest"] as? Bool }
        guard let mark = frames.indices.first(where: { $0 >= slots - 1 && reflects($0) == false }) else { return nil }
        return frames.indices.first { $0 > mark && reflects($0) == true }
    }

    final class FrameBox: @unchecked Sendable { var frames: [(info: [String: Any], jpeg: Data)] = [] }

    @Test func framesArriveAndAMaskUpdateChangesTheNextFrames() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let count = 12
        let plain = try await Self.frames(server, count: count)
        #expect(plain.count == count)
        #expect(plain.allSatisfy { $0.jpeg.starts(with: [0xFF, 0xD8, 0xFF]) })
        #expect(plain.map { $0.info["index"] as? Int } == Array(0..<count))
        // Deterministic: the same palette and seed give the same frames.
        let again = try await Self.frames(server, count: count)
        #expect(again.map(\.jpeg) == plain.map(\.jpeg))
        #expect(Self.firstFrameReflectingTheChange(plain, slots: 5) == nil)
        // A mask moved after frame 0: the first frame that reflects it differs from the plain run's.
        let updated = try await Self.frames(server, count: 400) { conversation in
            try await conversation.send(["type": "mask", "id": "sky", "mask": try maskDataURL { _, y in y < 20 }])
        } until: { Self.firstFrameReflectingTheChange($0, slots: 5) != nil }
        #expect(updated[0].jpeg == plain[0].jpeg)
        let first = try #require(Self.firstFrameReflectingTheChange(updated, slots: 5),
                                 "no frame reflected the update: \(updated.map(\.info))")
        let reference = first < plain.count ? plain : try await Self.frames(server, count: first + 1)
        #expect(updated[first].jpeg != reference[first].jpeg)
        let image = try JPEGSize(updated[first].jpeg)
        #expect(image.width == 64 && image.height == 64)
    }

    @Test func badMessagesAreAnsweredAndTheSessionSurvives() async throws {
        var limits = ServerLimits()
        limits.messageBytes = 64 << 10
        limits.imageSide = 256
        limits.brushes = 2
        let server = try await TestServer.start(limits: limits)
        defer { server.stop() }
        try await server.session { conversation in
            _ = try await conversation.next("ready")
            let cases: [(String, String)] = [
                ("{not json", "not valid JSON"),
                (#"{"type": "teleport"}"#, "unknown message type \"teleport\""),
                (#"{"type": "seed", "seed": "NaN"}"#, "\"seed\" must be an integer"),
                (#"{"type": "brush", "id": "a", "prompt_strength": 1e308}"#, "outside 0.0...1.0"),
                (#"{"type": "mask", "id": "nobody", "mask": "data:image/png;base64,AAAA"}"#, "no brush \"nobody\""),
                (String(repeating: " ", count: 70 << 10) + "{}", "larger than 65536 bytes"),
            ]
            for (text, expected) in cases {
                try await conversation.sendRaw(text)
                let error = try await conversation.next("error")
                #expect((error["message"] as? String)?.contains(expected) == true, "\(text.prefix(60)) -> \(error)")
            }
            // An image over the side limit, and a brush over the brush limit.
            try await conversation.send(["type": "brush", "id": "a", "prompt": "a cat"])
            try await conversation.send(["type": "mask", "id": "a", "mask": try maskDataURL(width: 300, height: 8) { _, _ in true }])
            #expect((try await conversation.next("error")["message"] as? String)?.contains("at most 256 per side") == true)
            try await conversation.send(["type": "brush", "id": "b", "prompt": "a dog"])
            try await conversation.send(["type": "brush", "id": "c", "prompt": "a cow"])
            #expect((try await conversation.next("error")["message"] as? String)?.contains("at most 2 brushes") == true)
            // Still alive: a valid palette plays.
            try await conversation.send(["type": "mask", "id": "a", "mask": try maskDataURL { x, _ in x < 40 }])
            try await conversation.send(["type": "play"])
            let frame = try await conversation.nextFrame()
            #expect(frame.jpeg.count > 100)
        }
    }

    /// Two playing sessions share the one model worker in turns: both keep receiving frames.
    @Test func playingSessionsTakeTurns() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        async let first = Self.frames(server, count: 4)
        async let second = Self.frames(server, count: 4)
        let (left, right) = try await (first, second)
        #expect(left.count == 4 && right.count == 4)
        // Same palette and seed in both sessions: the same frames, however the turns interleaved.
        #expect(left.map(\.jpeg) == right.map(\.jpeg))
    }

    @Test func twoSessionsDoNotSeeEachOthersPalettes() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        async let first: [String] = Self.brushIDs(server, id: "first-brush")
        async let second: [String] = Self.brushIDs(server, id: "second-brush")
        #expect(try await first == ["first-brush"])
        #expect(try await second == ["second-brush"])
    }

    static func brushIDs(_ server: TestServer, id: String) async throws -> [String] {
        let box = FrameBox()
        var ids: [String] = []
        try await server.session { conversation in
            _ = try await conversation.next("ready")
            try await conversation.send(["type": "brush", "id": id, "prompt": "p \(id)"])
            while true {
                let state = try await conversation.next("state")
                if let brushes = state["brushes"] as? [String], !brushes.isEmpty {
                    box.frames.append(([ "ids": brushes ], Data()))
                    return
                }
            }
        }
        ids = (box.frames.first?.info["ids"] as? [String]) ?? []
        return ids
    }
}

/// Width and height from a baseline JPEG's SOF0 marker.
func JPEGSize(_ data: Data) throws -> (width: Int, height: Int) {
    let bytes = [UInt8](data)
    var index = 2
    while index + 9 < bytes.count {
        guard bytes[index] == 0xFF else { break }
        let marker = bytes[index + 1]
        let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
        if marker == 0xC0 || marker == 0xC2 {
            return (Int(bytes[index + 7]) << 8 | Int(bytes[index + 8]), Int(bytes[index + 5]) << 8 | Int(bytes[index + 6]))
        }
        index += 2 + length
    }
    throw ProtocolConversation.ConversationError.notAnObject("no SOF marker")
}
