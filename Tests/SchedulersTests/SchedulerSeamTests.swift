import Foundation
import Schedulers
import TensorRuntime
import Testing

/// The common vocabulary of ``DiffusionScheduler`` for every kind: signal and noise level,
/// whether slot 0 is pure noise, the DDPM tables behind ``DiscreteTimeScheduler``, building a
/// kind with its default eta, and `from_config`-style overrides.
struct SchedulerSeamTests {
    /// SD1.5's own `scheduler_config.json` (PNDMScheduler), as a pipeline folder holds it.
    static func stableDiffusion15() throws -> SchedulerConfiguration {
        try ConfigurationTests.read(ConfigurationTests.stableDiffusion15)
    }

    /// One or more schedulers of every kind, from SD1.5's config.
    static func schedulers() throws -> [any DiffusionScheduler] {
        let sd15 = try stableDiffusion15()
        return [
            try LCMScheduler(configuration: sd15),
            try LCMScheduler(configuration: sd15, schedule: .steps(4)),
            try DDIMScheduler(configuration: sd15, schedule: .steps(50)),
            try DDIMScheduler(configuration: sd15.overriding(timestepSpacing: .trailing), schedule: .steps(4)),
            try DDIMScheduler(configuration: sd15, schedule: .steps(5), eta: 0.7),
            try EulerDiscreteScheduler(configuration: sd15, schedule: .steps(50)),
            try EulerDiscreteScheduler(configuration: sd15.overriding(timestepSpacing: .trailing), schedule: .steps(4)),
            try TCDScheduler(configuration: sd15, schedule: .steps(1), eta: 1),
            try TCDScheduler(configuration: sd15, schedule: .steps(4), eta: 0.3),
            try TCDScheduler(configuration: sd15, schedule: .defaultSlots, eta: 0),
        ]
    }

    /// a^2 + b^2 == 1 within 4 ulp of 1 for every kind (float32 round-off of two square roots
    /// and two products); a = sqrt(abar) within 1 ulp for the DDPM-table schedulers (IEEE sqrt:
    /// exactly), Euler's a = 1 / sqrt(sigma^2 + 1) within 3 ulp of sqrt(abar_t) at its integer
    /// timesteps.
    @Test func levelsAreVariancePreserving() throws {
        for scheduler in try SchedulerSeamTests.schedulers() {
            let label = "\(scheduler.kind) \(scheduler.schedule)"
            #expect(scheduler.signalLevel.count == scheduler.slotCount && scheduler.noiseLevel.count == scheduler.slotCount)
            let squares = zip(scheduler.signalLevel, scheduler.noiseLevel).map { $0 * $0 + $1 * $1 }
            let ones = Difference(squares, [Float](repeating: 1, count: squares.count))
            #expect(ones.maximumULP <= 4, "\(label) a^2 + b^2: \(ones)")
            let discrete = try #require(scheduler as? any DiscreteTimeScheduler, "\(label) has DDPM tables")
            #expect(discrete.tables.alphaBar.count == 1000 && discrete.alphaBar.count == scheduler.slotCount)
            // Only integer timesteps have a table entry (Euler "linspace" ones are fractional).
            let integral = scheduler.timesteps.indices.filter { scheduler.timesteps[$0] == scheduler.timesteps[$0].rounded() }
            #expect(scheduler.kind == .euler || integral.count == scheduler.slotCount)
            let tableSignal = integral.map { discrete.tables.alphaBar[Int(scheduler.timesteps[$0])].squareRoot() }
            let signal = Difference(integral.map { scheduler.signalLevel[$0] }, tableSignal)
            #expect(signal.maximumULP <= (scheduler.kind == .euler ? 3 : 0), "\(label) signal level vs sqrt(abar_t): \(signal)")
        }
    }

    /// Slot 0 is pure noise exactly when its timestep is at least N - 1 = 999: LCM's default
    /// slots, "trailing" and "linspace" spacing, TCD's own steps; not SD1.5's DDIM/Euler
    /// "leading" + `steps_offset` 1 (981 for 50 steps) nor a slot list that skips slot 0.
    @Test func startsFromPureNoise() throws {
        let sd15 = try SchedulerSeamTests.stableDiffusion15()
        let leading = sd15.overriding(timestepSpacing: .leading), trailing = sd15.overriding(timestepSpacing: .trailing)
        let cases: [(any DiffusionScheduler, Bool)] = [
            (try LCMScheduler(configuration: sd15), true),
            (try LCMScheduler(configuration: sd15, schedule: .slots([4, 12, 25])), false),
            (try DDIMScheduler(configuration: sd15, schedule: .steps(50)), false),
            (try DDIMScheduler(configuration: trailing, schedule: .steps(2)), true),
            (try DDIMScheduler(configuration: sd15.overriding(timestepSpacing: .linspace), schedule: .steps(7)), true),
            (try EulerDiscreteScheduler(configuration: sd15, schedule: .steps(50)), true),   // Euler's default: linspace
            (try EulerDiscreteScheduler(configuration: leading, schedule: .steps(50)), false),
            (try TCDScheduler(configuration: sd15, schedule: .steps(1), eta: 1), true),
            (try TCDScheduler(configuration: sd15, schedule: .slots([4, 12]), eta: 1), false),
        ]
        for (scheduler, expected) in cases {
            #expect(scheduler.startsFromPureNoise == expected, "\(scheduler.kind) \(scheduler.schedule) slot 0 at \(scheduler.timesteps[0])")
            #expect(scheduler.startsFromPureNoise == (scheduler.timesteps[0] >= 999))
        }
    }

    /// `makeScheduler(eta: nil)` is the kind's default (diffusers' `step` default): DDIM 0,
    /// TCD 0.3; an explicit eta wins; LCM and Euler ignore it.
    @Test func makeSchedulerDefaultsEta() throws {
        let sd15 = try SchedulerSeamTests.stableDiffusion15()
        let ddim = try #require(try SchedulerKind.ddim.makeScheduler(configuration: sd15) as? DDIMScheduler)
        #expect(ddim.eta == 0 && ddim.schedule == .steps(50) && !ddim.addsNoise(slot: 0))
        let baseline = try #require(try SchedulerKind.ddim.makeScheduler(configuration: sd15, eta: 0) as? DDIMScheduler)
        #expect(baseline.eta == 0 && baseline.integerTimesteps == ddim.integerTimesteps)
        let tcd = try #require(try SchedulerKind.tcd.makeScheduler(configuration: sd15) as? TCDScheduler)
        #expect(tcd.eta == TCDScheduler.defaultEta && TCDScheduler.defaultEta == 0.3 && tcd.schedule == .steps(4))
        let hyper = try #require(try SchedulerKind.tcd.makeScheduler(configuration: sd15, schedule: .steps(1), eta: 1) as? TCDScheduler)
        #expect(hyper.eta == 1 && hyper.integerTimesteps == [999])
        #expect(throws: Never.self) { try SchedulerKind.lcm.makeScheduler(configuration: sd15, eta: 1) }
        #expect(throws: Never.self) { try SchedulerKind.euler.makeScheduler(configuration: sd15, eta: 1) }
        #expect(throws: SchedulerError.self) { try SchedulerKind.tcd.makeScheduler(configuration: sd15, eta: 2) }
        for kind in SchedulerKind.allCases {
            #expect(try kind.makeScheduler(configuration: sd15).kind == kind)
        }
    }

    /// `overriding(timestepSpacing:)` is `from_config(config, timestep_spacing=...)`: the value
    /// is recorded as present, so building any kind keeps it instead of the kind's default.
    @Test func overridingTimestepSpacing() throws {
        let sd15 = try SchedulerSeamTests.stableDiffusion15()
        #expect(!sd15.presentFields.contains("timestep_spacing"))
        #expect(sd15.adapted(to: .ddim).timestepSpacing == .leading && sd15.adapted(to: .euler).timestepSpacing == .linspace)
        let trailing = sd15.overriding(timestepSpacing: .trailing)
        #expect(trailing.presentFields.contains("timestep_spacing") && trailing.timestepSpacing == .trailing)
        for kind in SchedulerKind.allCases {
            #expect(trailing.adapted(to: kind).timestepSpacing == .trailing, "\(kind)")
        }
        // Everything else is the file's: steps_offset 1 (unused by "trailing"), set_alpha_to_one false.
        #expect(trailing.stepsOffset == 1 && !trailing.setAlphaToOne && trailing.className == "PNDMScheduler")
        let encoded = String(decoding: try JSONEncoder().encode(trailing), as: UTF8.self)
        #expect(encoded.contains("\"timestep_spacing\":\"trailing\""))
    }

    /// TCDScheduler's defaults are LCMScheduler's for every field this module reads; SD1.5's
    /// file values win where present.
    @Test func tcdDefaults() throws {
        #expect(SchedulerConfiguration.defaults(for: .tcd).betaSchedule == .scaledLinear)
        var lcm = SchedulerConfiguration.defaults(for: .lcm)
        lcm.className = "TCDScheduler"
        #expect(SchedulerConfiguration.defaults(for: .tcd) == lcm)
        let adapted = try SchedulerSeamTests.stableDiffusion15().adapted(to: .tcd)
        #expect(adapted.originalInferenceSteps == 50 && !adapted.setAlphaToOne && !adapted.clipSample && adapted.betaEnd == 0.012)
        // TCD's step ignores clip_sample and thresholding (diffusers does), so they are accepted.
        let thresholding = try ConfigurationTests.read("{\"thresholding\": true, \"clip_sample\": true}")
        #expect(throws: Never.self) { try TCDScheduler(configuration: thresholding) }
        ConfigurationTests.expectError(["'original_inference_steps'", "more than num_train_timesteps"]) {
            _ = try TCDScheduler(configuration: try ConfigurationTests.read("{\"original_inference_steps\": 2000}"))
        }
        ConfigurationTests.expectError(["'trained_betas'"]) {
            _ = try TCDScheduler(configuration: try ConfigurationTests.read("{\"trained_betas\": [0.1, 0.2]}"))
        }
        let read = try ConfigurationTests.read("{\"_class_name\": \"TCDScheduler\"}")
        #expect(read.betaSchedule == .scaledLinear && read.clipSample == false)
    }
}
