/// Queued updates merged so that each brush carries one operation, newest wins.
///
/// Per brush id: add then edit is the add with the edit applied; edit then edit merges field
/// by field; anything then remove is a remove; remove then add is a remove followed by an add
/// (the brush moves to the front, as applying both would); add then add keeps the newest.
public struct StreamUpdateQueue: Sendable {
    /// One merged operation on one brush.
    public enum BrushOperation: Sendable {
        /// Add (or replace in place); `removesFirst` when a remove preceded it (the brush moves to the front).
        case add(StreamBrush, removesFirst: Bool)
        case edit(StreamBrushEdit)
        case remove
    }

    /// The newest background, if any was queued.
    public private(set) var background: RegionBackground?
    /// The newest seed, if any was queued.
    public private(set) var seed: UInt64?
    /// One operation per brush id, in the order they are applied.
    public private(set) var brushOperations: [(id: String, operation: BrushOperation)] = []

    /// An empty queue.
    public init() {}

    /// Whether nothing is queued.
    public var isEmpty: Bool { background == nil && seed == nil && brushOperations.isEmpty }

    /// Merges `update` into the queue.
    public mutating func append(_ update: StreamUpdate) {
        switch update {
        case .background(let value): background = value
        case .seed(let value): seed = value
        case .addBrush(let brush): merge(id: brush.id, .add(brush, removesFirst: false))
        case .editBrush(let id, let edit): merge(id: id, .edit(edit))
        case .removeBrush(let id): merge(id: id, .remove)
        }
    }

    /// Merges every update of `other` (queued later) into this queue.
    public mutating func append(contentsOf other: StreamUpdateQueue) {
        if let background = other.background { self.background = background }
        if let seed = other.seed { self.seed = seed }
        for (id, operation) in other.brushOperations { merge(id: id, operation) }
    }

    private mutating func merge(id: String, _ newer: BrushOperation) {
        guard let index = brushOperations.firstIndex(where: { $0.id == id }) else {
            brushOperations.append((id, newer))
            return
        }
        let merged: BrushOperation
        var movesToEnd = false
        switch (brushOperations[index].operation, newer) {
        case (.add(let brush, let removesFirst), .edit(let edit)):
            merged = .add(edit.applied(to: brush), removesFirst: removesFirst)
        case (.edit(let older), .edit(let edit)):
            merged = .edit(edit.merged(over: older))
        case (.remove, .edit):
            merged = .remove                                  // the edit targets a removed brush
        case (_, .remove):
            merged = .remove
        case (.remove, .add(let brush, _)):
            merged = .add(brush, removesFirst: true)
            movesToEnd = true
        case (.add(_, let removesFirst), .add(let brush, let alsoRemoves)):
            merged = .add(brush, removesFirst: removesFirst || alsoRemoves)
            movesToEnd = alsoRemoves
        case (.edit, .add(let brush, let removesFirst)):
            merged = .add(brush, removesFirst: removesFirst)
            movesToEnd = removesFirst
        }
        if movesToEnd {
            brushOperations.remove(at: index)
            brushOperations.append((id, merged))
        } else {
            brushOperations[index].operation = merged
        }
    }

    /// `brushes` with the brush operations applied (unknown ids in edits and removes are ignored).
    public func applied(to brushes: [StreamBrush]) -> [StreamBrush] {
        var result = brushes
        for (id, operation) in brushOperations {
            let index = result.firstIndex { $0.id == id }
            switch operation {
            case .add(let brush, let removesFirst):
                if let index, !removesFirst {
                    result[index] = brush
                } else {
                    if let index { result.remove(at: index) }
                    result.append(brush)
                }
            case .edit(let edit):
                if let index { result[index] = edit.applied(to: result[index]) }
            case .remove:
                if let index { result.remove(at: index) }
            }
        }
        return result
    }
}
