import Schedulers
import Testing

/// Timesteps and per-slot coefficients against diffusers 0.42.1 `set_timesteps` (step counts
/// 1, 2, 3, 4, 5, 7, 8, 25, 50 and, for LCM and Euler, custom timesteps of the slot lists
/// [0,4,12,25,37] and [0,12,25,37]; the Hyper-SD fixtures: TCD 1, 2, 4 steps and slots
/// [0,4,12,25,37], DDIM "trailing" 2, 4, 8 steps from SD1.5's config). Timesteps and alpha-bars are compared bit for bit;
/// coefficients that involve a square root bit for bit with torch's square roots and within
/// ``Tolerance/coefficientULP`` ulp with the IEEE square root. (Schedules that were not stepped
/// build some coefficients torch never computed, e.g. their a_t; those fall back to the IEEE
/// square root and are not compared here: StepParityTests checks that a stepped schedule
/// needs no square root torch did not take.)
struct ScheduleParityTests {
    @Test(arguments: SchedulerFixture.lcmNames, SquareRootSource.allCases)
    func lcmSchedules(name: String, source: SquareRootSource) throws {
        let fixture = try SchedulerFixture(name)
        let torch = try TorchSquareRoot(fixture)
        for testCase in fixture.cases {
            let label = "\(name) \(testCase.name) (\(source) sqrt)"
            let scheduler = try fixture.lcm(testCase, source, torch)
            #expect(scheduler.timesteps == (try fixture.timesteps(testCase)), "\(label)")
            let skip = Difference(scheduler.cSkip, try fixture.floats(testCase.name + ".c_skip"))
            let out = Difference(scheduler.cOut, try fixture.floats(testCase.name + ".c_out"))
            #expect(skip.isExact, "\(label) c_skip: \(skip)")
            #expect(out.isAcceptableCoefficient(source), "\(label) c_out: \(out)")
            let next = try fixture.floats(testCase.name + ".next_alpha_bar")
            #expect(Array(scheduler.alphaBar.dropFirst()) == Array(next.dropLast()), "\(label)")
        }
    }

    @Test(arguments: SchedulerFixture.ddimNames)
    func ddimSchedules(name: String) throws {
        let fixture = try SchedulerFixture(name)
        for testCase in fixture.cases {
            let scheduler = try DDIMScheduler(configuration: fixture.configuration, schedule: testCase.schedule)
            #expect(scheduler.timesteps == (try fixture.timesteps(testCase)), "\(name) \(testCase.name)")
            let previous = try fixture.reference.integerTensor(testCase.name + ".previous_timesteps").values.map { Int($0) }
            #expect(scheduler.previousTimesteps == previous, "\(name) \(testCase.name)")
            #expect(scheduler.previousAlphaBar == (try fixture.floats(testCase.name + ".previous_alpha_bar")), "\(name) \(testCase.name)")
        }
    }

    @Test(arguments: SchedulerFixture.eulerNames, SquareRootSource.allCases)
    func eulerSchedules(name: String, source: SquareRootSource) throws {
        let fixture = try SchedulerFixture(name)
        let torch = try TorchSquareRoot(fixture)
        for testCase in fixture.cases {
            let label = "\(name) \(testCase.name) (\(source) sqrt)"
            let scheduler = try fixture.euler(testCase, source, torch)
            #expect(scheduler.timesteps == (try fixture.timesteps(testCase)), "\(label)")
            let sigmas = Difference(scheduler.sigmas, try fixture.floats(testCase.name + ".sigmas"))
            #expect(sigmas.isAcceptableCoefficient(source), "\(label) sigmas: \(sigmas)")
            let initial = Difference([scheduler.initialNoiseSigma], try fixture.floats(testCase.name + ".init_noise_sigma"))
            #expect(initial.isAcceptableCoefficient(source), "\(label) init_noise_sigma: \(initial)")
        }
    }

    /// TCD (`TCDScheduler.from_config(SD1.5)`, eta 1.0 and 0.3): timesteps, the timestep each
    /// slot steps to, the intermediate timestep s = floor((1 - eta) * t') and both alpha-bars,
    /// all bit for bit (no square root involved); the displayed coefficients are the same values.
    @Test(arguments: SchedulerFixture.tcdNames)
    func tcdSchedules(name: String) throws {
        let fixture = try SchedulerFixture(name)
        let torch = try TorchSquareRoot(fixture)
        for testCase in fixture.cases {
            let label = "\(name) \(testCase.name)"
            let scheduler = try fixture.tcd(testCase, .ieee, torch)
            #expect(scheduler.timesteps == (try fixture.timesteps(testCase)), "\(label)")
            #expect(scheduler.previousTimesteps == (try fixture.integers(testCase.name + ".previous_timesteps")), "\(label)")
            #expect(scheduler.intermediateTimesteps == (try fixture.integers(testCase.name + ".intermediate_timesteps")), "\(label)")
            #expect(scheduler.intermediateAlphaBar == (try fixture.floats(testCase.name + ".intermediate_alpha_bar")), "\(label)")
            #expect(scheduler.previousAlphaBar == (try fixture.floats(testCase.name + ".previous_alpha_bar")), "\(label)")
            let coefficients = Dictionary(uniqueKeysWithValues: scheduler.coefficients.map { ($0.key, $0.values) })
            #expect(coefficients["intermediate_timestep"] == scheduler.intermediateTimesteps.map(Float.init))
            #expect(coefficients["intermediate_alpha_bar"] == scheduler.intermediateAlphaBar)
            #expect(coefficients["previous_alpha_bar"] == scheduler.previousAlphaBar)
            #expect(scheduler.alphaBar == scheduler.integerTimesteps.map { scheduler.tables.alphaBar[$0] })
        }
    }
}
