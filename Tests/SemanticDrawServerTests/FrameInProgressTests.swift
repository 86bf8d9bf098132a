import Foundation
import SemanticDraw
@testable import SemanticDrawServer
import TensorRuntime
import Testing

/// What a session does while one of its frames computes (docs/PROTOCOL.md): messages are
/// answered at once, and pause, reseed and close stop the frame. Frames are made slow with
/// ``HeldModelCalls`` (the stream's `beforeModelCall` test seam), which blocks the frame's thread
/// before the model call, as a full-size model call does, until released or cancelled (or
/// `maximumHold` passes, which the tests would report as a failure). A frame computed on an
/// actor would hold that actor for the whole hold. Every test that blocks a thread so is in this
/// serialized suite, the stream-level one included: two at once could take the whole cooperative
/// pool of a 2-core machine.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FrameInProgressTests {
    /// After `ready`: one brush over the left half, the seed if given, `play`; each reply read.
    static func setUp(_ conversation: ProtocolConversation, seed: Int? = nil) async throws {
        _ = try await conversation.next("ready")
        _ = try await conversation.next("state")
        var messages: [[String: Any]] = [
            ["type": "brush", "id": "sky", "prompt": "blue sky", "mask_blur": 2],
            ["type": "mask", "id": "sky", "mask": try maskDataURL { x, _ in x < 32 }],
        ]
        if let seed { messages.append(["type": "seed", "seed": seed]) }
        messages.append(["type": "play"])
        for message in messages {
            try await conversation.send(message)
            let replies = try await conversation.messages(through: "state")
            #expect(!replies.contains { $0["type"] as? String == "error" }, "\(replies)")
        }
    }

    static func types(_ messages: [[String: Any]]) -> [String] { messages.compactMap { $0["type"] as? String } }

    /// The stream itself: while a frame's model call runs, the session actor answers.
    @Test func theStreamAnswersWhileAFrameComputes() async throws {
        let model = try await ModelLoader(hub: nil).load(ModelRequest(model: "tiny-random", tinyAutoencoder: "tiny-random"))
        let calls = HeldModelCalls()
        let brush = StreamBrush(id: "sky", prompt: .text("blue sky"), mask: Tensor(shape: [64, 64], repeating: 1))
        let session = try StreamSession(models: model.components, settings: StreamSettings(height: 64, width: 64),
                                        brushes: [brush], beforeModelCall: calls.hook)
        _ = try await session.nextFrame()
        calls.holdNext()
        let frame = Task { try await session.nextFrame() }
        try await calls.waitUntil { $0.isHolding }
        session.enqueue(.prompt(id: "sky", strength: 0.5))
        let pending = await session.hasPendingEncodings
        await #expect(throws: StreamError.frameInProgress) { try await session.nextFrame() }
        #expect(calls.isHolding, "the session answered only after the frame")
        #expect(!pending)
        calls.release()
        #expect(try await frame.value.index == 1)
        #expect(calls.heldOutcomes.map(\.cancelled) == [false])
        // The edit queued during the frame applies at the next one.
        let third = try await session.nextFrame()
        #expect(third.index == 2 && third.framesSinceChange == 0)
    }

    @Test func aStateReplyArrivesBeforeTheFrameInProgress() async throws {
        let calls = HeldModelCalls()
        let server = try await TestServer.start(beforeModelCall: calls.hook)
        defer { server.stop() }
        calls.holdNext()
        try await server.session { conversation in
            try await Self.setUp(conversation)
            try await calls.waitUntil { $0.isHolding }
            try await conversation.send(["type": "brush", "id": "sky", "prompt_strength": 0.5])
            let replies = try await conversation.messages(through: "state")
            #expect(calls.isHolding, "the state reply waited for the frame")
            #expect(!Self.types(replies).contains("frame"))
            calls.release()
            let frame = try await conversation.nextFrame()
            #expect(frame.info["index"] as? Int == 0)
            try await conversation.send(["type": "pause"])
        }
        #expect(calls.heldOutcomes.map(\.cancelled) == [false])
    }

    @Test func pausingStopsTheFrameInProgress() async throws {
        let calls = HeldModelCalls()
        let server = try await TestServer.start(beforeModelCall: calls.hook)
        defer { server.stop() }
        calls.holdNext()
        try await server.session { conversation in
            try await Self.setUp(conversation)
            try await calls.waitUntil { $0.isHolding }
            try await conversation.send(["type": "pause"])
            let replies = try await conversation.messages(through: "state")
            #expect(replies.last?["playing"] as? Bool == false)
            #expect(!Self.types(replies).contains("frame"))
            // The held call saw its frame cancelled (it was never released).
            try await calls.waitUntil { !$0.heldOutcomes.isEmpty }
            #expect(calls.heldOutcomes.map(\.cancelled) == [true])
            // Playing again: the next frame is frame 0, so the stopped one sent nothing and
            // committed nothing.
            try await conversation.send(["type": "play"])
            let messages = try await conversation.messages(through: "frame")
            let types = Self.types(messages)
            #expect(!types.contains("error"), "\(messages)")
            #expect(types.first == "state", "a frame arrived before the reply to play: \(types)")
            #expect(messages.last?["index"] as? Int == 0)
            try await conversation.send(["type": "pause"])
        }
    }

    @Test func reseedingStopsTheFrameInProgress() async throws {
        let calls = HeldModelCalls()
        let server = try await TestServer.start(beforeModelCall: calls.hook)
        defer { server.stop() }
        calls.holdNext()
        let box = JPEGBox()
        try await server.session { conversation in
            try await Self.setUp(conversation)
            try await calls.waitUntil { $0.isHolding }
            try await conversation.send(["type": "seed", "seed": 9])
            let replies = try await conversation.messages(through: "state")
            #expect(replies.last?["seed"] as? Int == 9 && replies.last?["playing"] as? Bool == true)
            #expect(!Self.types(replies).contains("frame"))
            // Still playing: the next frame is frame 0 of the reseeded stream.
            let frame = try await conversation.nextFrame()
            #expect(frame.info["index"] as? Int == 0)
            box.jpegs.append(frame.jpeg)
            try await conversation.send(["type": "pause"])
        }
        #expect(calls.heldOutcomes.map(\.cancelled) == [true])
        // The same as a session that had seed 9 from the start.
        try await server.session { conversation in
            try await Self.setUp(conversation, seed: 9)
            box.jpegs.append(try await conversation.nextFrame().jpeg)
            try await conversation.send(["type": "pause"])
        }
        #expect(box.jpegs.count == 2 && box.jpegs.first == box.jpegs.last)
    }

    /// A session closes its socket while its frame is held: the frame stops and the worker
    /// serves the session waiting behind it.
    @Test func closingTheSocketMidFrameFreesTheWorker() async throws {
        let calls = HeldModelCalls()
        let server = try await TestServer.start(beforeModelCall: calls.hook)
        defer { server.stop() }
        calls.holdNext()
        let (closeFirst, closeFirstContinuation) = AsyncStream.makeStream(of: Void.self)
        let (secondPlays, secondPlaysContinuation) = AsyncStream.makeStream(of: Void.self)
        let box = JPEGBox()
        async let first: Void = server.session { conversation in
            try await Self.setUp(conversation)
            for await _ in closeFirst { break }
        }
        try await calls.waitUntil { $0.isHolding }
        async let second: Void = server.session { conversation in
            try await Self.setUp(conversation)
            secondPlaysContinuation.yield()
            let frame = try await conversation.nextFrame()
            #expect(frame.info["index"] as? Int == 0)
            box.jpegs.append(frame.jpeg)
            try await conversation.send(["type": "pause"])
        }
        for await _ in secondPlays { break }
        #expect(calls.isHolding && calls.calls == 1, "the second session got the worker before the first closed")
        closeFirstContinuation.yield()
        closeFirstContinuation.finish()
        try await first
        try await second
        #expect(box.jpegs.count == 1)
        #expect(calls.heldOutcomes.map(\.cancelled) == [true])
        #expect(calls.calls >= 2)
    }

    final class JPEGBox: @unchecked Sendable { var jpegs: [Data] = [] }
}
