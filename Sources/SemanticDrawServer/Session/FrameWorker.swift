import Foundation
import SemanticDraw

/// The one model worker: computes frames for the playing sessions in turn (round robin), and
/// runs one-shot generations between frames. Only one model call runs at a time.
actor FrameWorker {
    private var sessions: [LiveSession] = []
    private var nextIndex = 0
    private var wakeUp: CheckedContinuation<Void, Never>?
    private var exclusiveWaiters: [CheckedContinuation<Void, Never>] = []
    private var busy = false

    var sessionCount: Int { sessions.count }

    func register(_ session: LiveSession) {
        sessions.append(session)
        signal()
    }

    func unregister(_ session: LiveSession) {
        sessions.removeAll { $0 === session }
    }

    /// Wakes the loop (a session started playing).
    func signal() {
        wakeUp?.resume()
        wakeUp = nil
    }

    /// Runs until cancelled.
    func run() async {
        while !Task.isCancelled {
            guard let session = await nextPlayingSession() else {
                await withCheckedContinuation { wakeUp = $0 }
                continue
            }
            await acquire()
            await session.computeFrame()
            release()
            await Task.yield()
        }
    }

    /// The next playing session after the last one served, or nil when none plays.
    private func nextPlayingSession() async -> LiveSession? {
        guard !sessions.isEmpty else { return nil }
        for offset in 0..<sessions.count {
            let index = (nextIndex + offset) % sessions.count
            if await sessions[index].isPlaying {
                nextIndex = (index + 1) % max(sessions.count, 1)
                return sessions[index]
            }
        }
        return nil
    }

    /// Runs `body` with the model to itself (one-shot generation between frames).
    func exclusive<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { exclusiveWaiters.append($0) }
    }

    private func release() {
        if exclusiveWaiters.isEmpty {
            busy = false
        } else {
            exclusiveWaiters.removeFirst().resume()
        }
    }
}
