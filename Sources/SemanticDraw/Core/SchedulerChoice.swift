import Schedulers

/// Which scheduler a generation runs, as a preset or the user chose it: the kind, the
/// configuration fields that override the model's `scheduler_config.json` (as diffusers'
/// `Kind.from_config(config, field=value)`), and eta for the kinds that take one.
public struct SchedulerChoice: Sendable, Equatable {
    /// The scheduler class; nil: the class the model's `scheduler_config.json` names
    /// (`--accelerator none`).
    public var kind: SchedulerKind?
    /// `timestep_spacing` to use instead of the model's (e.g. "trailing" for Hyper-SD's N-step LoRAs).
    public var timestepSpacing: TimestepSpacing?
    /// eta (DDIM, TCD); nil: the kind's default.
    public var eta: Float?

    public init(kind: SchedulerKind?, timestepSpacing: TimestepSpacing? = nil, eta: Float? = nil) {
        self.kind = kind
        self.timestepSpacing = timestepSpacing
        self.eta = eta
    }

    /// LCM with the model's configuration (SD1.5 + LCM-LoRA; the paper's accelerator).
    public static let lcm = SchedulerChoice(kind: .lcm)

    /// The model's configuration with this choice's overrides applied.
    public func configuration(from model: SchedulerConfiguration) -> SchedulerConfiguration {
        var configuration = model
        if let timestepSpacing {
            configuration.timestepSpacing = timestepSpacing
            configuration.presentFields.insert("timestep_spacing")
        }
        return configuration
    }

    /// The scheduler for `schedule` over the model's configuration.
    /// - Throws: ``PresetError/unsupportedModelScheduler(className:)`` when the model's own
    ///   class is asked for and not implemented; ``SchedulerError`` for unsupported options or
    ///   an invalid schedule.
    public func makeScheduler(modelConfiguration: SchedulerConfiguration, schedule: SlotSchedule) throws -> any DiffusionScheduler {
        guard let kind = kind ?? modelConfiguration.className.flatMap(SchedulerKind.init(className:)) else {
            throw PresetError.unsupportedModelScheduler(className: modelConfiguration.className)
        }
        return try kind.makeScheduler(configuration: configuration(from: modelConfiguration), schedule: schedule, eta: eta)
    }
}
