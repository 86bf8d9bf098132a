/// Which timesteps a scheduler runs: its slots, largest timestep first.
public enum SlotSchedule: Sendable, Equatable, CustomStringConvertible {
    /// The scheduler's own n-step schedule, as diffusers' `set_timesteps(n)` of the same class.
    case steps(Int)
    /// Explicit slots: strictly increasing indices into the `original_inference_steps` grid
    /// (999, 979, ..., 19 for the default 50 steps and N = 1000). For the flow-matching kinds the
    /// grid is their own `set_timesteps(original_inference_steps)` schedule (50 steps), as the
    /// SemanticDraw authors' SD3 pipeline indexes it.
    case slots([Int])

    /// The default 5-slot schedule of the live stream and one-shot generation with LCM:
    /// grid indices [0, 4, 12, 25, 37], timesteps 999, 919, 759, 499, 259.
    public static let defaultSlots = SlotSchedule.slots([0, 4, 12, 25, 37])
    /// 4 slots [0, 12, 25, 37] (999, 759, 499, 259): LCM's own 4-step schedule, best for panoramas.
    public static let panoramaSlots = SlotSchedule.slots([0, 12, 25, 37])

    /// The schedule used when the user sets none: ``defaultSlots`` for LCM, 4 steps for TCD
    /// (999, 759, 499, 259: the TCD-LoRA examples' `num_inference_steps=4`; Hyper-SD's 1-step
    /// LoRA asks for `.steps(1)`), 50 steps for DDIM and Euler (diffusers' `set_timesteps(50)`),
    /// 28 for flow-match Euler (`StableDiffusion3Pipeline`'s default) and 4 for Flash (the
    /// Flash SD3 model card's `num_inference_steps=4`).
    public static func defaultSchedule(for kind: SchedulerKind) -> SlotSchedule {
        switch kind {
        case .lcm: return defaultSlots
        case .tcd, .flashFlowMatchEuler: return .steps(4)
        case .ddim, .euler: return .steps(50)
        case .flowMatchEuler: return .steps(28)
        }
    }

    /// Parses a comma-separated slot list such as `0,4,12,25,37`.
    /// - Throws: ``SchedulerError/invalidSchedule(reason:)`` naming the bad entry.
    public init(parsingSlots text: String) throws(SchedulerError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
        var slots: [Int] = []
        for part in parts {
            guard let value = Int(part) else {
                throw .invalidSchedule(reason: "slot list '\(text)' has '\(part)', which is not an integer (expected e.g. 0,4,12,25,37)")
            }
            slots.append(value)
        }
        self = .slots(slots)
    }

    public var description: String {
        switch self {
        case let .steps(count): return "\(count) steps"
        case let .slots(slots): return "slots \(slots.map(String.init).joined(separator: ","))"
        }
    }

    /// The timesteps of explicit slots on the grid of `configuration`, checked.
    func gridTimesteps(_ slots: [Int], configuration: SchedulerConfiguration) throws(SchedulerError) -> [Int] {
        let grid = DiffusersTimesteps.consistencyGrid(trainingTimestepCount: configuration.trainingTimestepCount,
                                                      originalSteps: configuration.originalInferenceSteps)
        return try checkedSlots(slots, gridCount: grid.count).map { grid[$0] }
    }

    /// Checks an explicit slot list against a grid of `gridCount` steps: non-empty, strictly
    /// increasing, every slot in 0..<gridCount.
    func checkedSlots(_ slots: [Int], gridCount: Int) throws(SchedulerError) -> [Int] {
        guard !slots.isEmpty else { throw .invalidSchedule(reason: "the slot list is empty") }
        for (position, slot) in slots.enumerated() {
            guard (0..<gridCount).contains(slot) else {
                throw .invalidSchedule(reason: "slot \(slot) is outside the \(gridCount)-step grid (indices 0...\(gridCount - 1))")
            }
            if position > 0, slot <= slots[position - 1] {
                throw .invalidSchedule(reason: "slots must be strictly increasing, got \(slots[position - 1]) then \(slot)")
            }
        }
        return slots
    }

    /// Checks a step count against the training timesteps.
    func checkedStepCount(_ count: Int, configuration: SchedulerConfiguration, maximum: Int? = nil) throws(SchedulerError) -> Int {
        let limit = maximum ?? configuration.trainingTimestepCount
        guard count >= 1, count <= limit else {
            throw .invalidSchedule(reason: "step count \(count) is outside 1...\(limit)")
        }
        return count
    }
}
