import Schedulers
import TensorRuntime
import Testing

/// ``DiffusionScheduler/backgroundFill(_:noise:slots:)``'s defining property for every kind:
/// after the noise part the background sits at the level the slot's full step lands on, with
/// the noise the noise part used, noise(fill(c, n), n) == a' * c + b' * n. The target is the
/// documented level, computed here in float32 from the scheduler's public tables: LCM
/// a_{i+1}, b_{i+1} (`addNoise` at the next slot; c after the last), DDIM and TCD sqrt(abar_t'),
/// sqrt(1 - abar_t') of the timestep the step goes to, Euler 1 and sigma_{i+1}, flow-match
/// Euler and Flash 1 - sigma_{i+1} and sigma_{i+1} (Flash after the last slot: 1, 0).
/// Tolerances: LCM bit for bit (its fill is `clean` itself, no arithmetic), Euler, the
/// flow-matching kinds and deterministic DDIM bit for bit (the fill is the target and the noise part adds nothing);
/// DDIM with eta > 0 and TCD within 4 ulp of max(1, largest |target|) (2^-21 absolute for these
/// O(1) tensors: the fill's noise weight (b' - q) / r and r * fill + q * n each round a few times).
struct BackgroundFillTests {
    static let tolerance: Float = 4 * Float.ulpOfOne

    /// Every kind with several schedules and etas (SD1.5's config; the fixture configurations
    /// for DDIM linspace with `set_alpha_to_one` and Euler v-prediction with sigma_min).
    static func schedulers() throws -> [any DiffusionScheduler] {
        let sd15 = try SchedulerSeamTests.stableDiffusion15()
        let trailing = sd15.overriding(timestepSpacing: .trailing)
        let linspace = try SchedulerFixture("ddim-linspace-linear").configuration
        let sigmaMinimum = try SchedulerFixture("euler-vpred-sigma-min").configuration
        return [
            try LCMScheduler(configuration: sd15),
            try LCMScheduler(configuration: sd15, schedule: .steps(4)),
            try DDIMScheduler(configuration: sd15, schedule: .steps(50)),
            try DDIMScheduler(configuration: trailing, schedule: .steps(4)),
            try DDIMScheduler(configuration: trailing, schedule: .steps(3), eta: 0.7),
            try DDIMScheduler(configuration: linspace, schedule: .steps(5), eta: 1),
            try EulerDiscreteScheduler(configuration: trailing, schedule: .steps(4)),
            try EulerDiscreteScheduler(configuration: sd15, schedule: .steps(7)),
            try EulerDiscreteScheduler(configuration: sigmaMinimum, schedule: .steps(5)),
            try TCDScheduler(configuration: sd15, schedule: .steps(1), eta: 1),
            try TCDScheduler(configuration: sd15, schedule: .steps(2), eta: 1),
            try TCDScheduler(configuration: sd15, schedule: .steps(4), eta: 1),
            try TCDScheduler(configuration: sd15, schedule: .steps(4), eta: 0.3),
            try TCDScheduler(configuration: sd15, schedule: .defaultSlots, eta: 0.3),
            try TCDScheduler(configuration: sd15, schedule: .steps(4), eta: 0),
            try FlowMatchEulerDiscreteScheduler(configuration: FlowMatchSchedulerTests.sd3(), schedule: .steps(4)),
            try FlowMatchEulerDiscreteScheduler(configuration: FlowMatchSchedulerTests.sd3(), schedule: .slots([0, 4, 12, 25, 37])),
            try FlashFlowMatchEulerDiscreteScheduler(configuration: FlowMatchSchedulerTests.sd3(), schedule: .steps(4)),
            try FlashFlowMatchEulerDiscreteScheduler(configuration: FlowMatchSchedulerTests.sd3(), schedule: .slots([0, 4, 12, 25, 37])),
        ]
    }

    /// The level (a', b') the step of `slot` lands on, as documented per kind.
    static func landingLevel(_ scheduler: any DiffusionScheduler, slot: Int) throws -> (signal: Float, noise: Float) {
        switch scheduler {
        case let lcm as LCMScheduler:
            return slot + 1 < lcm.slotCount ? (lcm.signalLevel[slot + 1], lcm.noiseLevel[slot + 1]) : (1, 0)
        case let ddim as DDIMScheduler:
            let previous = ddim.previousAlphaBar[slot]
            return (previous.squareRoot(), (1 - previous).squareRoot())
        case let euler as EulerDiscreteScheduler:
            return (1, euler.sigmas[slot + 1])
        case let tcd as TCDScheduler:
            let previous = tcd.previousAlphaBar[slot]
            return (previous.squareRoot(), (1 - previous).squareRoot())
        case let flow as FlowMatchEulerDiscreteScheduler:
            return (1 - flow.sigmas[slot + 1], flow.sigmas[slot + 1])
        case let flash as FlashFlowMatchEulerDiscreteScheduler:
            return flash.addsNoise(slot: slot) ? (1 - flash.sigmas[slot + 1], flash.sigmas[slot + 1]) : (1, 0)
        default:
            Issue.record("no documented landing level for \(scheduler.kind)")
            return (.nan, .nan)
        }
    }

    /// Whether the property holds bit for bit for this scheduler (see the type's notes).
    static func isBitExact(_ scheduler: any DiffusionScheduler) -> Bool {
        switch scheduler {
        case is LCMScheduler, is EulerDiscreteScheduler, is FlowMatchEulerDiscreteScheduler, is FlashFlowMatchEulerDiscreteScheduler: return true
        case let ddim as DDIMScheduler: return ddim.eta == 0
        default: return false
        }
    }

    @Test func noisePartLandsOnTheStepLevel() throws {
        var random = SplitMix64(seed: 11)
        let clean = random.tensor([1, 4, 8, 8]), noise = random.tensor([1, 4, 8, 8])
        var worst: Float = 0
        for scheduler in try BackgroundFillTests.schedulers() {
            for slot in 0..<scheduler.slotCount {
                let label = "\(scheduler.kind) \(scheduler.schedule) slot \(slot)"
                let fill = try scheduler.backgroundFill(clean, noise: noise, slot: slot)
                let landed = try scheduler.noise(fill, noise: noise, slot: slot)
                let (signal, noiseWeight) = try BackgroundFillTests.landingLevel(scheduler, slot: slot)
                let target = Tensor(shape: clean.shape, values: zip(clean.scalars, noise.scalars).map { signal * $0 + noiseWeight * $1 })
                let difference = Difference(landed, target)
                if BackgroundFillTests.isBitExact(scheduler) {
                    #expect(difference.isExact, "\(label): \(difference)")
                } else {
                    #expect(difference.maximumRelative <= BackgroundFillTests.tolerance, "\(label): \(difference)")
                }
                worst = max(worst, difference.maximumRelative)
            }
        }
        print("backgroundFill: largest relative difference from the landing level \(worst)")
    }

    /// The last slot of LCM lands on the clean latent itself, and `addNoise` at the next slot is
    /// the same level as the documented one (so the LCM target above is diffusers' `add_noise`).
    @Test func lcmTargetIsAddNoiseAtTheNextSlot() throws {
        var random = SplitMix64(seed: 12)
        let clean = random.tensor([1, 4, 4, 4]), noise = random.tensor([1, 4, 4, 4])
        let lcm = try LCMScheduler(configuration: try SchedulerSeamTests.stableDiffusion15())
        for slot in 0..<lcm.slotCount {
            let landed = try lcm.noise(try lcm.backgroundFill(clean, noise: noise, slot: slot), noise: noise, slot: slot)
            let target = slot + 1 < lcm.slotCount ? try lcm.addNoise(clean, noise: noise, slot: slot + 1) : clean
            #expect(Difference(landed, target).isExact, "slot \(slot)")
        }
    }

    /// LCM's fill is `clean` bit for bit, special values included (no arithmetic at all), with
    /// or without noise.
    @Test func lcmFillIsTheCleanLatent() throws {
        let values: [Float] = [-0.0, 0, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, 1e-30, -3.5, .infinity]
        let clean = Tensor(shape: [1, values.count], values: values)
        let noise = Tensor(shape: [1, values.count], repeating: .nan)
        for schedule: SlotSchedule in [.defaultSlots, .steps(1), .panoramaSlots] {
            let lcm = try LCMScheduler(configuration: try SchedulerSeamTests.stableDiffusion15(), schedule: schedule)
            for slot in 0..<lcm.slotCount {
                #expect(try lcm.backgroundFill(clean, noise: noise, slot: slot).scalars.map(\.bitPattern) == values.map(\.bitPattern))
                #expect(try lcm.backgroundFill(clean, noise: nil, slot: slot).scalars.map(\.bitPattern) == values.map(\.bitPattern))
            }
        }
    }

    /// No noise (nil, the region loop's last slot): the noise term is zero, so the fill is the
    /// signal part alone, bit for bit: LCM c; DDIM sqrt(abar') * c; Euler c; TCD sqrt(abar_s) * c;
    /// flow-match Euler (1 - sigma_{i+1}) * c; Flash c.
    @Test func withoutNoiseTheNoiseTermIsZero() throws {
        var random = SplitMix64(seed: 13)
        let clean = random.tensor([1, 4, 4, 4])
        for scheduler in try BackgroundFillTests.schedulers() {
            for slot in 0..<scheduler.slotCount {
                let signal: Float
                switch scheduler {
                case let ddim as DDIMScheduler: signal = ddim.previousAlphaBar[slot].squareRoot()
                case let tcd as TCDScheduler: signal = tcd.intermediateAlphaBar[slot].squareRoot()
                case let flow as FlowMatchEulerDiscreteScheduler: signal = 1 - flow.sigmas[slot + 1]
                default: signal = 1
                }
                let expected = Tensor(shape: clean.shape, values: clean.scalars.map { signal * $0 })
                let fill = try scheduler.backgroundFill(clean, noise: nil, slot: slot)
                #expect(Difference(fill, expected).isExact, "\(scheduler.kind) \(scheduler.schedule) slot \(slot)")
            }
        }
    }
}
