import Foundation
import TensorRuntime

/// What reaches a session between frames, from any task: queued updates, and the results of
/// text encodings running off the frame loop. Lock-protected, so enqueuing never waits for a
/// frame in progress.
final class StreamInbox: @unchecked Sendable {
    /// A finished text encoding: the request, its prompts, and the embeddings or the error.
    struct Delivery {
        let request: Int
        let prompts: [PromptInput]
        let result: Result<TextConditioning, any Error>
    }

    private let lock = NSLock()
    private var queue = StreamUpdateQueue()
    private var deliveries: [Delivery] = []

    func enqueue(_ update: StreamUpdate) {
        lock.lock()
        defer { lock.unlock() }
        queue.append(update)
    }

    /// The merged queue; the inbox's queue is empty afterwards.
    func takeUpdates() -> StreamUpdateQueue {
        lock.lock()
        defer { lock.unlock() }
        let taken = queue
        queue = StreamUpdateQueue()
        return taken
    }

    /// Whether updates are queued.
    var hasUpdates: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !queue.isEmpty
    }

    func deliver(_ delivery: Delivery) {
        lock.lock()
        defer { lock.unlock() }
        deliveries.append(delivery)
    }

    func takeDeliveries() -> [Delivery] {
        lock.lock()
        defer { lock.unlock() }
        let taken = deliveries
        deliveries = []
        return taken
    }
}
