import Foundation
import SemanticDraw

/// The one model worker: computes frames for the playing sessions in turn (round robin), and
/// runs one-shot generations between frames. Only one model call runs at a time.
///
/// Each frame runs in a task of its own whose handle the worker keeps while it runs, so a
/// session can stop its frame in progress (``cancelFrame(of:)``: on pause, reseed or close);
/// the worker then moves on to the next playing session.
actor FrameWorker {
    private var sessions: [LiveSession] = []
    private var nextIndex = 0
    private var wakeUp: CheckedContinuation<Void, Never>?
    private var exclusiveWaiters: [CheckedContinuation<Void, Never>] = []
    private var busy = false
    /// The frame computing now: its session and the task computing it.
    private var running: (session: LiveSession, task: Task<Void, Never>)?

    var sessionCount: Int { sessions.count }

    func register(_ session: LiveSession) {
        sessions.append(session)
        signal()
    }

    /// Drops `session` (its socket closed) and stops its frame in progress, if any.
    func unregister(_ session: LiveSession) {
        sessions.removeAll { $0 === session }
        cancelFrame(of: session)
    }

    /// Stops `session`'s frame in progress, if one is computing (the session paused, reseeded or
    /// left): the frame ends at its next cancellation check (before the model call, between UNet
    /// blocks, before decoding) without changing the stream, and sends nothing.
    func cancelFrame(of session: LiveSession) {
        guard let running, running.session === session else { return }
        running.task.cancel()
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
            let frame = Task { await session.computeFrame() }
            running = (session, frame)
            // The worker stays free to answer (cancelFrame, register, signal) while it waits.
            await withTaskCancellationHandler {
                await frame.value
            } onCancel: {
                frame.cancel()
            }
            running = nil
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
