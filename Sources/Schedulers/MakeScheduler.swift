/// Building a scheduler of a kind chosen at run time.
extension SchedulerKind {
    /// A scheduler of this kind for `configuration` and `schedule` (``SlotSchedule/defaultSchedule(for:)``
    /// when nil); `eta` is used by DDIM only.
    /// - Throws: ``SchedulerError`` for unsupported options or an invalid schedule.
    public func makeScheduler(configuration: SchedulerConfiguration, schedule: SlotSchedule? = nil,
                              eta: Float = 0) throws(SchedulerError) -> any DiffusionScheduler {
        let schedule = schedule ?? SlotSchedule.defaultSchedule(for: self)
        switch self {
        case .lcm: return try LCMScheduler(configuration: configuration, schedule: schedule)
        case .ddim: return try DDIMScheduler(configuration: configuration, schedule: schedule, eta: eta)
        case .euler: return try EulerDiscreteScheduler(configuration: configuration, schedule: schedule)
        }
    }
}
