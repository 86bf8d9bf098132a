import Foundation
@testable import SemanticDrawServer
import Testing

/// A counter that tasks wait on (sessions take their turns in a fixed order).
actor Counter {
    private(set) var value = 0

    func increment() { value += 1 }

    func wait(until target: Int) async throws {
        while value < target { try await Task.sleep(for: .milliseconds(5)) }
    }
}

/// What one session heard, in order (written by its conversation only).
final class SequenceBox: @unchecked Sendable { var items: [String] = [] }

/// The progress messages of several playing sessions (docs/PROTOCOL.md `progress`): each session
/// hears its place in the worker's queue. In this suite because it holds a model call.
extension FrameInProgressTests {
    /// Session 0 plays and its first frame is held; sessions 1...4 start playing in turn and hear
    /// positions 1...4. Once the frame is released, the sessions take turns first come first
    /// served, and each waits through exactly positions 4, 3, 2, 1, 0 for each of its frames.
    @Test func waitingSessionsHearTheirPlaceInTheQueue() async throws {
        let sessionCount = 5, framesPerSession = 3
        let calls = HeldModelCalls()
        let server = try await TestServer.start(beforeModelCall: calls.hook)
        defer { server.stop() }
        calls.holdNext()
        let joined = Counter(), finished = Counter()
        let sequences = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            for index in 0..<sessionCount {
                group.addTask {
                    let sequence = SequenceBox()
                    try await server.session { conversation in
                        try await joined.wait(until: index)
                        try await Self.setUp(conversation)
                        if index == 0 { try await calls.waitUntil { $0.isHolding } }
                        await joined.increment()
                        var frames = 0
                        while frames < framesPerSession {
                            let message = try await conversation.next()
                            switch message["type"] as? String {
                            case "progress": sequence.items.append(String(message["session_position"] as? Int ?? -1))
                            case "frame":
                                sequence.items.append("frame")
                                frames += 1
                            case "error": Issue.record("session \(index): \(message)")
                            default: break
                            }
                        }
                        // Everyone keeps playing until every session has its frames.
                        await finished.increment()
                        try await finished.wait(until: sessionCount)
                        try await conversation.send(["type": "pause"])
                    }
                    return (index, sequence.items)
                }
            }
            try await joined.wait(until: sessionCount)
            #expect(calls.isHolding && calls.calls == 1, "a frame ran while the first was held")
            calls.release()
            var sequences = [[String]](repeating: [], count: sessionCount)
            for try await (index, sequence) in group { sequences[index] = sequence }
            return sequences
        }
        let fullWait = (0..<sessionCount).reversed().map(String.init) + ["frame"]
        for (index, sequence) in sequences.enumerated() {
            // Joining behind `index` frames (the held one, then the sessions that joined before).
            let firstWait = (0...index).reversed().map(String.init) + ["frame"]
            let expected = firstWait + Array([[String]](repeating: fullWait, count: framesPerSession - 1).joined())
            #expect(sequence == expected, "session \(index)")
        }
    }
}
