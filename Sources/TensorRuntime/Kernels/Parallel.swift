import Dispatch
import Foundation

/// How many worker threads the Swift kernels use: `SEMANTIC_DRAW_THREADS` when set, else the
/// number of active cores.
public enum ComputeThreads {
    /// The worker count (at least 1).
    public static let count: Int = {
        if let text = ProcessInfo.processInfo.environment["SEMANTIC_DRAW_THREADS"], let value = Int(text), value > 0 {
            return value
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()
}

/// Splits `0..<count` into at most ``ComputeThreads/count`` contiguous ranges and runs
/// `body(task, range)` on each concurrently; `task` numbers the ranges from 0, so a worker can
/// pick its own scratch memory. Work smaller than `minimumPerTask` items per range runs inline.
@inlinable
public func parallelTasks(_ count: Int, minimumPerTask: Int = 1, _ body: (Int, Range<Int>) -> Void) {
    guard count > 0 else { return }
    let tasks = min(ComputeThreads.count, max(1, count / max(1, minimumPerTask)))
    if tasks <= 1 {
        body(0, 0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: tasks) { task in
            let start = count * task / tasks
            let end = count * (task + 1) / tasks
            if start < end { box.value(task, start..<end) }
        }
    }
}

/// Splits `0..<count` into contiguous ranges run concurrently (see ``parallelTasks(_:minimumPerTask:_:)``).
@inlinable
public func parallelRanges(_ count: Int, minimumPerTask: Int = 1, _ body: (Range<Int>) -> Void) {
    parallelTasks(count, minimumPerTask: minimumPerTask) { _, range in body(range) }
}

/// Runs `body(index)` for every index, spread over the workers in contiguous blocks.
@inlinable
public func parallelFor(_ count: Int, minimumPerTask: Int = 1, _ body: (Int) -> Void) {
    parallelRanges(count, minimumPerTask: minimumPerTask) { range in
        for index in range { body(index) }
    }
}

/// Carries a value the kernels know to be safe across their own worker threads (raw pointers
/// into disjoint regions, non-escaping closures).
@usableFromInline
struct UncheckedSendable<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}
