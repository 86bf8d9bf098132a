import Foundation
import SemanticDraw

/// The one model worker: computes frames for the playing sessions in turn, and runs one-shot
/// generations between frames. Only one model call runs at a time.
///
/// Turns are first come, first served: a session joins the back of the queue when it starts
/// playing and again after each of its frames, so with k sessions playing each gets every k-th
/// frame. Each session hears its place (`progress`, docs/PROTOCOL.md): position 0 when its frame
/// starts, position p while p frames are scheduled before its next one (the one computing now
/// and the sessions ahead of it in the queue). A session hears a position only when it changes;
/// while waiting its position only goes down.
///
/// Each frame runs in a task of its own whose handle the worker keeps while it runs, so a
/// session can stop its frame in progress (``cancelFrame(of:)``: on pause, reseed or close);
/// the worker then moves on to the next session in the queue.
actor FrameWorker {
    /// Every open session (its socket is open).
    private var sessions: [LiveSession] = []
    /// The sessions that play (between ``play(_:)`` and ``pause(_:)``).
    private var playing: Set<ObjectIdentifier> = []
    /// Playing sessions waiting for a frame, the next first.
    private var queue: [LiveSession] = []
    /// The session whose frame computes now, and the task computing it.
    private var running: LiveSession?
    private var runningTask: Task<Bool, Never>?
    /// The position each session last heard.
    private var announced: [ObjectIdentifier: Int] = [:]
    private var wakeUp: CheckedContinuation<Void, Never>?
    private var exclusiveWaiters: [CheckedContinuation<Void, Never>] = []
    private var busy = false

    var sessionCount: Int { sessions.count }

    func register(_ session: LiveSession) {
        sessions.append(session)
    }

    /// Drops `session` (its socket closed) and stops its frame in progress, if any.
    func unregister(_ session: LiveSession) {
        sessions.removeAll { $0 === session }
        pause(session)
    }

    /// `session` started playing: it joins the back of the queue (unless it is in it) and hears
    /// its position.
    func play(_ session: LiveSession) {
        guard sessions.contains(where: { $0 === session }) else { return }
        playing.insert(ObjectIdentifier(session))
        if !queue.contains(where: { $0 === session }) { queue.append(session) }
        signal()
        announcePositions()
    }

    /// `session` stopped playing (or left): it leaves the queue, its frame in progress stops,
    /// and the sessions behind it hear their new positions.
    func pause(_ session: LiveSession) {
        playing.remove(ObjectIdentifier(session))
        queue.removeAll { $0 === session }
        announced.removeValue(forKey: ObjectIdentifier(session))
        cancelFrame(of: session)
        announcePositions()
    }

    /// Stops `session`'s frame in progress, if one is computing (the session paused, reseeded or
    /// left): the frame ends at its next cancellation check (before the model call, between UNet
    /// blocks, before decoding) without changing the stream, and sends nothing.
    func cancelFrame(of session: LiveSession) {
        guard running === session else { return }
        runningTask?.cancel()
    }

    /// Wakes the loop (a session started playing, or the server stops).
    func signal() {
        wakeUp?.resume()
        wakeUp = nil
    }

    /// Runs until cancelled.
    func run() async {
        while !Task.isCancelled {
            guard !queue.isEmpty else {
                await withCheckedContinuation { wakeUp = $0 }
                continue
            }
            await acquire()
            guard !queue.isEmpty else {                     // the queue emptied while a one-shot ran
                release()
                continue
            }
            let session = queue.removeFirst()
            running = session
            announcePositions()                             // position 0 goes out before the frame starts
            let frame = Task { await session.computeFrame() }
            runningTask = frame
            // The worker stays free to answer (play, pause, cancelFrame) while it waits.
            let stillPlaying = await withTaskCancellationHandler {
                await frame.value
            } onCancel: {
                frame.cancel()
            }
            running = nil
            runningTask = nil
            let key = ObjectIdentifier(session)
            announced.removeValue(forKey: key)
            if !stillPlaying { playing.remove(key) }
            if playing.contains(key), !queue.contains(where: { $0 === session }) { queue.append(session) }
            release()
            await Task.yield()
        }
    }

    /// Sends each playing session its position when it changed: 0 to the session computing now,
    /// p to the p-th session in the queue behind it (a frame still stopping after its session
    /// paused counts, but its session hears nothing). Nothing while no frame runs: the loop is
    /// about to start the next one, and announces then.
    private func announcePositions() {
        guard let running else { return }
        let order = [running] + queue.filter { $0 !== running }
        for (position, session) in order.enumerated() {
            let key = ObjectIdentifier(session)
            guard playing.contains(key), announced[key] != position else { continue }
            announced[key] = position
            session.send(.text(ServerMessage.progress(position: position)))
        }
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
