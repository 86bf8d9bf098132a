/// What went wrong configuring or applying a scheduler. Configuration errors name the file, the
/// field and the offending value; application errors name the argument and what was expected.
public enum SchedulerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file (or folder) could not be found or read.
    case unreadableConfiguration(file: String, reason: String)
    /// The file is not valid JSON, or a field has the wrong type or an impossible value.
    case malformedConfiguration(file: String, field: String, reason: String)
    /// A field holds a value diffusers accepts but this implementation does not (or nobody does).
    case unsupportedValue(file: String, field: String, value: String, supported: [String])
    /// A scheduler name that is not one of ``SchedulerKind``.
    case unknownScheduler(value: String, supported: [String])
    /// A step count or slot list that cannot be scheduled.
    case invalidSchedule(reason: String)
    /// A tensor argument whose shape does not fit the others.
    case shapeMismatch(argument: String, shape: [Int], expected: String)
    /// A slot index outside the schedule.
    case slotOutOfRange(slot: Int, slotCount: Int)
    /// A per-sample slot list whose length is not the batch size (dimension 0).
    case slotCountMismatch(slots: Int, batchSize: Int)

    public var description: String {
        switch self {
        case let .unreadableConfiguration(file, reason):
            return "cannot read scheduler configuration \(file): \(reason)"
        case let .malformedConfiguration(file, field, reason):
            return "scheduler configuration \(file): field '\(field)' \(reason)"
        case let .unsupportedValue(file, field, value, supported):
            return "scheduler configuration \(file): field '\(field)' has unsupported value \(value); supported: \(supported.joined(separator: ", "))"
        case let .unknownScheduler(value, supported):
            return "unknown scheduler '\(value)'; expected one of \(supported.joined(separator: ", "))"
        case let .invalidSchedule(reason):
            return "invalid schedule: \(reason)"
        case let .shapeMismatch(argument, shape, expected):
            return "scheduler argument '\(argument)' has shape \(shape), expected \(expected)"
        case let .slotOutOfRange(slot, slotCount):
            return "slot \(slot) is outside the schedule (slots 0..<\(slotCount))"
        case let .slotCountMismatch(slots, batchSize):
            return "\(slots) per-sample slots given for a batch of \(batchSize) (dimension 0); pass one slot per sample"
        }
    }
}
