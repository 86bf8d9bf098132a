/// Building a scheduler of a kind chosen at run time.
extension SchedulerKind {
    /// A scheduler of this kind for `configuration` and `schedule` (``SlotSchedule/defaultSchedule(for:)``
    /// when nil). `eta` is the stochastic weight of DDIM and TCD (diffusers' `step(eta:)`); nil
    /// means the kind's default, diffusers' `step` default: 0 for DDIM, 0.3 for TCD
    /// (``TCDScheduler/defaultEta``). Hyper-SD's 1-step LoRA passes 1.0 to TCD explicitly. LCM and
    /// Euler take no eta and ignore it, as do the flow-matching kinds.
    /// - Throws: ``SchedulerError`` for unsupported options, an eta out of range or an invalid schedule.
    public func makeScheduler(configuration: SchedulerConfiguration, schedule: SlotSchedule? = nil,
                              eta: Float? = nil) throws(SchedulerError) -> any DiffusionScheduler {
        let schedule = schedule ?? SlotSchedule.defaultSchedule(for: self)
        switch self {
        case .lcm: return try LCMScheduler(configuration: configuration, schedule: schedule)
        case .ddim: return try DDIMScheduler(configuration: configuration, schedule: schedule, eta: eta ?? 0)
        case .euler: return try EulerDiscreteScheduler(configuration: configuration, schedule: schedule)
        case .tcd: return try TCDScheduler(configuration: configuration, schedule: schedule, eta: eta ?? TCDScheduler.defaultEta)
        case .flowMatchEuler: return try FlowMatchEulerDiscreteScheduler(configuration: configuration, schedule: schedule)
        case .flashFlowMatchEuler: return try FlashFlowMatchEulerDiscreteScheduler(configuration: configuration, schedule: schedule)
        }
    }
}
