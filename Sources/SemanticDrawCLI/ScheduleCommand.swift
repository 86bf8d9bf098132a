import ArgumentParser
import Foundation
import Schedulers

/// `semantic-draw schedule`: the slots of a scheduler built from a model's `scheduler_config.json`.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Print a scheduler's slots: timestep, alpha-bar, signal and noise level and its coefficients.",
        discussion: """
        --model is a pipeline folder (with scheduler/scheduler_config.json) or the scheduler folder.
        The scheduler defaults to the config's _class_name (LCMScheduler, DDIMScheduler,
        EulerDiscreteScheduler, TCDScheduler; any other class needs --scheduler). The schedule
        defaults to the 5 slots 0,4,12,25,37 of the 50-step grid (t = 999, 919, 759, 499, 259) for
        LCM, 4 steps for TCD and diffusers' set_timesteps(50) for DDIM and Euler. --steps N is the
        scheduler's own N-step schedule (diffusers set_timesteps(N)); --slots lists indices into
        the 50-step grid 999, 979, ..., 19. --eta is DDIM's and TCD's eta (default 0 and 0.3);
        --timestep-spacing overrides the config's timestep_spacing as diffusers'
        from_config(config, timestep_spacing=...) does (Hyper-SD's DDIM: trailing). Columns: slot,
        timestep, alpha_bar, signal_level = sqrt(alpha_bar), noise_level = sqrt(1 - alpha_bar)
        (the mask threshold), then c_skip and c_out (LCM), sigma (Euler), previous_alpha_bar
        (DDIM) or intermediate_timestep, intermediate_alpha_bar and previous_alpha_bar (TCD).
        --json prints the same as arrays under timesteps, alpha_bar, signal_level, noise_level and
        the coefficient names, plus starts_from_pure_noise.
        """
    )

    @Option(help: "Model folder: a pipeline folder or its scheduler/ folder.")
    var model: String

    @Option(help: "lcm, ddim, euler, tcd, flow-match-euler or flash-flow-match-euler (default: from the config's _class_name).")
    var scheduler: String?

    @Option(help: "eta of DDIM and TCD (default: 0 for DDIM, 0.3 for TCD; ignored by LCM and Euler).")
    var eta: Float?

    @Option(help: "Override the config's timestep_spacing: leading, trailing or linspace.")
    var timestepSpacing: String?

    @Option(help: "Number of steps: the scheduler's own schedule (diffusers set_timesteps(N)).")
    var steps: Int?

    @Option(help: "Comma-separated slot indices into the 50-step grid, e.g. 0,4,12,25,37.")
    var slots: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        if steps != nil, slots != nil { throw ValidationError("--steps and --slots are mutually exclusive; pass one of them") }
        if let steps, steps < 1 { throw ValidationError("--steps must be positive, got \(steps)") }
    }

    func run() throws {
        do {
            var configuration = try SchedulerConfiguration(folder: model)
            let kind = try resolvedKind(configuration)
            if let timestepSpacing {
                guard let spacing = TimestepSpacing(rawValue: timestepSpacing) else {
                    throw CommandFailure("--timestep-spacing \(timestepSpacing) is not one of \(TimestepSpacing.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                configuration = configuration.overriding(timestepSpacing: spacing)
            }
            var schedule: SlotSchedule?
            if let steps { schedule = .steps(steps) }
            if let slots { schedule = try SlotSchedule(parsingSlots: slots) }
            let built = try kind.makeScheduler(configuration: configuration, schedule: schedule, eta: eta)
            print(json ? jsonReport(built) : tableReport(built))
        } catch let error as SchedulerError {
            throw CommandFailure(error.description)
        }
    }

    private func resolvedKind(_ configuration: SchedulerConfiguration) throws -> SchedulerKind {
        if let scheduler { return try SchedulerKind(parsing: scheduler) }
        guard let className = configuration.className else {
            throw CommandFailure("\(configuration.sourceFile) has no _class_name; pass --scheduler \(kindNames)")
        }
        guard let kind = SchedulerKind(className: className) else {
            throw CommandFailure("\(configuration.sourceFile) names \(className), which is not implemented; pass --scheduler \(kindNames) to use its settings with one of \(SchedulerKind.allCases.map(\.diffusersClassName).joined(separator: ", "))")
        }
        return kind
    }

    private var kindNames: String { SchedulerKind.allCases.map(\.rawValue).joined(separator: "|") }

    /// alpha-bar per slot: the scheduler's own for DDPM-table schedulers, else signal level squared.
    private func alphaBar(_ scheduler: any DiffusionScheduler) -> [Float] {
        (scheduler as? any DiscreteTimeScheduler)?.alphaBar ?? scheduler.signalLevel.map { $0 * $0 }
    }

    /// A coefficient's value at `slot`; timesteps (`intermediate_timestep`) print as timesteps.
    private func coefficientText(_ coefficient: SchedulerCoefficient, _ slot: Int) -> String {
        coefficient.key.hasSuffix("timestep") ? timestepText(coefficient.values[slot]) : "\(coefficient.values[slot])"
    }

    /// Integer timesteps print without a fraction.
    private func timestepText(_ value: Float) -> String {
        value == value.rounded() && abs(value) < 1e7 ? String(Int(value)) : "\(value)"
    }

    private func tableReport(_ scheduler: any DiffusionScheduler) -> String {
        let names = ["slot", "timestep", "alpha_bar", "signal_level", "noise_level"] + scheduler.coefficients.map(\.key)
        let alphaBar = alphaBar(scheduler)
        var rows = [names]
        for slot in 0..<scheduler.slotCount {
            rows.append([String(slot), timestepText(scheduler.timesteps[slot]), "\(alphaBar[slot])", "\(scheduler.signalLevel[slot])",
                         "\(scheduler.noiseLevel[slot])"]
                + scheduler.coefficients.map { coefficientText($0, slot) })
        }
        let widths = names.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        let origin = scheduler.kind == .flashFlowMatchEuler ? "the Flash Diffusion fork of diffusers" : "diffusers 0.42.1"
        var lines = ["\(scheduler.kind.diffusersClassName) (\(origin)), \(scheduler.schedule), \(scheduler.slotCount) slots, init_noise_sigma \(scheduler.initialNoiseSigma), \(scheduler.startsFromPureNoise ? "starts from pure noise" : "does not start from pure noise")",
                     "config: \(scheduler.configuration.sourceFile)"]
        for row in rows {
            let padded = row.enumerated().map { column, text in
                column == row.count - 1 ? text : text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            lines.append(padded.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    private func jsonReport(_ scheduler: any DiffusionScheduler) -> String {
        func array(_ values: [String]) -> String { "[" + values.joined(separator: ", ") + "]" }
        func floats(_ values: [Float]) -> String { array(values.map { "\($0)" }) }
        var fields: [(String, String)] = [
            ("scheduler", "\"\(scheduler.kind.rawValue)\""),
            ("class_name", "\"\(scheduler.kind.diffusersClassName)\""),
            ("schedule", "\"\(scheduler.schedule)\""),
            ("timesteps", array(scheduler.timesteps.map(timestepText))),
            ("alpha_bar", floats(alphaBar(scheduler))),
            ("signal_level", floats(scheduler.signalLevel)),
            ("noise_level", floats(scheduler.noiseLevel)),
        ]
        fields += scheduler.coefficients.map { coefficient in
            (coefficient.key, array(coefficient.values.indices.map { coefficientText(coefficient, $0) }))
        }
        fields.append(("init_noise_sigma", "\(scheduler.initialNoiseSigma)"))
        fields.append(("starts_from_pure_noise", "\(scheduler.startsFromPureNoise)"))
        return "{\n" + fields.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}"
    }
}
