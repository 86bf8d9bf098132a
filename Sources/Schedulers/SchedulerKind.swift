/// The schedulers this module implements, each matching one diffusers 0.42.1 class.
public enum SchedulerKind: String, Sendable, CaseIterable, Codable {
    /// `LCMScheduler` (latent consistency models, e.g. SD1.5 + LCM-LoRA): ``LCMScheduler``.
    case lcm
    /// `DDIMScheduler`: ``DDIMScheduler``.
    case ddim
    /// `EulerDiscreteScheduler`: ``EulerDiscreteScheduler``.
    case euler
    /// `TCDScheduler` (trajectory consistency distillation, e.g. SD1.5 + Hyper-SD 1-step LoRA):
    /// ``TCDScheduler``.
    case tcd
    /// `FlowMatchEulerDiscreteScheduler` (SD3's rectified flow): ``FlowMatchEulerDiscreteScheduler``.
    case flowMatchEuler = "flow-match-euler"
    /// The Flash Diffusion fork's `FlashFlowMatchEulerDiscreteScheduler` (SD3 + Flash LoRA):
    /// ``FlashFlowMatchEulerDiscreteScheduler``.
    case flashFlowMatchEuler = "flash-flow-match-euler"

    /// Parses a user-supplied name: `lcm`, `ddim`, `euler`, `tcd`, `flow-match-euler`,
    /// `flash-flow-match-euler` (any case) or the diffusers class name (`LCMScheduler`,
    /// `DDIMScheduler`, `EulerDiscreteScheduler`, `TCDScheduler`, `FlowMatchEulerDiscreteScheduler`,
    /// `FlashFlowMatchEulerDiscreteScheduler`).
    /// - Throws: ``SchedulerError/unknownScheduler(value:supported:)`` naming the bad value.
    public init(parsing text: String) throws(SchedulerError) {
        let trimmed = text.trimmingWhitespace()
        if let kind = SchedulerKind(rawValue: trimmed.lowercased()) ?? SchedulerKind(className: trimmed) {
            self = kind
        } else {
            throw .unknownScheduler(value: text, supported: SchedulerKind.allCases.map(\.rawValue))
        }
    }

    /// The kind whose diffusers class is `className` (`_class_name` in `scheduler_config.json`),
    /// or `nil` for another class (e.g. `PNDMScheduler`).
    public init?(className: String) {
        guard let kind = SchedulerKind.allCases.first(where: { $0.diffusersClassName == className }) else { return nil }
        self = kind
    }

    /// The diffusers class this kind matches.
    public var diffusersClassName: String {
        switch self {
        case .lcm: return "LCMScheduler"
        case .ddim: return "DDIMScheduler"
        case .euler: return "EulerDiscreteScheduler"
        case .tcd: return "TCDScheduler"
        case .flowMatchEuler: return "FlowMatchEulerDiscreteScheduler"
        case .flashFlowMatchEuler: return "FlashFlowMatchEulerDiscreteScheduler"
        }
    }

    /// Whether this kind's levels come from the DDPM training tables (`betas`, `alphas_cumprod`):
    /// LCM, DDIM, Euler and TCD; the flow-matching kinds use sigmas from `shift` instead.
    public var usesTrainingTables: Bool {
        switch self {
        case .lcm, .ddim, .euler, .tcd: return true
        case .flowMatchEuler, .flashFlowMatchEuler: return false
        }
    }
}
