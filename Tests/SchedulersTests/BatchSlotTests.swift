import Schedulers
import TensorRuntime
import Testing

/// Per-sample slots: a batch that mixes slots gives, element by element, exactly what each
/// element gives alone (schedulers hold no per-image state). Also the argument checks.
struct BatchSlotTests {
    static func schedulers() throws -> [any DiffusionScheduler] {
        let lcm = try SchedulerFixture("lcm-sd15").configuration
        let ddim = try SchedulerFixture("ddim-leading").configuration
        let euler = try SchedulerFixture("euler-trailing").configuration
        return [
            try LCMScheduler(configuration: lcm),
            try DDIMScheduler(configuration: ddim, schedule: .steps(5), eta: 0.5),
            try EulerDiscreteScheduler(configuration: euler, schedule: .steps(5)),
            try TCDScheduler(configuration: lcm, schedule: .steps(5), eta: 0.3),
            try FlowMatchEulerDiscreteScheduler(configuration: FlowMatchSchedulerTests.sd3(), schedule: .steps(5)),
            try FlashFlowMatchEulerDiscreteScheduler(configuration: FlowMatchSchedulerTests.sd3(), schedule: .steps(5)),
        ]
    }

    @Test func mixedSlotsEqualSingleSlots() throws {
        var random = SplitMix64(seed: 7)
        let sample = random.tensor([5, 4, 3, 3]), modelOutput = random.tensor([5, 4, 3, 3]), noise = random.tensor([5, 4, 3, 3])
        let slots = [4, 0, 2, 1, 3]
        for scheduler in try BatchSlotTests.schedulers() {
            let denoised = try scheduler.denoise(modelOutput: modelOutput, sample: sample, slots: slots)
            let noised = try scheduler.noise(denoised, noise: noise, slots: slots)
            let scaled = try scheduler.scaleModelInput(sample, slots: slots)
            let added = try scheduler.addNoise(sample, noise: noise, slots: slots)
            let filled = try scheduler.backgroundFill(sample, noise: noise, slots: slots)
            let filledClean = try scheduler.backgroundFill(sample, noise: nil, slots: slots)
            let stepped = try scheduler.step(modelOutput: modelOutput, sample: sample, noise: noise, slots: slots)
            #expect(Difference(stepped, noised).isExact)
            for (index, slot) in slots.enumerated() {
                func element(_ tensor: Tensor) -> Tensor { tensor.slice(outer: index, length: 1) }
                let single = try scheduler.denoise(modelOutput: element(modelOutput), sample: element(sample), slot: slot)
                #expect(Difference(element(denoised), single).isExact, "\(scheduler.kind) element \(index)")
                #expect(Difference(element(noised), try scheduler.noise(single, noise: element(noise), slot: slot)).isExact)
                #expect(Difference(element(scaled), try scheduler.scaleModelInput(element(sample), slot: slot)).isExact)
                #expect(Difference(element(added), try scheduler.addNoise(element(sample), noise: element(noise), slot: slot)).isExact)
                #expect(Difference(element(filled), try scheduler.backgroundFill(element(sample), noise: element(noise), slot: slot)).isExact)
                #expect(Difference(element(filledClean), try scheduler.backgroundFill(element(sample), noise: nil, slot: slot)).isExact)
            }
        }
    }

    @Test func singleSlotKeepsShape() throws {
        var random = SplitMix64(seed: 8)
        let sample = random.tensor([4, 2, 2]), modelOutput = random.tensor([4, 2, 2])
        for scheduler in try BatchSlotTests.schedulers() {
            #expect(try scheduler.denoise(modelOutput: modelOutput, sample: sample, slot: 1).shape == [4, 2, 2])
        }
    }

    @Test func badArgumentsAreTypedErrors() throws {
        var random = SplitMix64(seed: 9)
        let sample = random.tensor([2, 4, 2, 2]), other = random.tensor([2, 4, 2, 3])
        let scheduler = try LCMScheduler(configuration: SchedulerFixture("lcm-sd15").configuration)
        #expect(throws: SchedulerError.slotCountMismatch(slots: 1, batchSize: 2)) {
            try scheduler.denoise(modelOutput: sample, sample: sample, slots: [0])
        }
        #expect(throws: SchedulerError.slotOutOfRange(slot: 5, slotCount: 5)) {
            try scheduler.denoise(modelOutput: sample, sample: sample, slots: [0, 5])
        }
        #expect(throws: SchedulerError.slotOutOfRange(slot: -1, slotCount: 5)) {
            try scheduler.noise(sample, noise: sample, slot: -1)
        }
        #expect(throws: SchedulerError.slotOutOfRange(slot: 5, slotCount: 5)) {
            try scheduler.backgroundFill(sample, noise: nil, slot: 5)
        }
        #expect(throws: SchedulerError.self) { try scheduler.backgroundFill(sample, noise: other, slot: 0) }
        #expect(throws: SchedulerError.slotCountMismatch(slots: 3, batchSize: 2)) {
            try scheduler.backgroundFill(sample, noise: sample, slots: [0, 1, 2])
        }
        do {
            _ = try scheduler.denoise(modelOutput: other, sample: sample, slots: [0, 1])
            Issue.record("a shape mismatch must throw")
        } catch {
            guard case let .shapeMismatch(argument, shape, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(argument == "modelOutput" && shape == [2, 4, 2, 3])
            #expect(error.description.contains("modelOutput"))
        }
    }
}

/// The schedules: defaults, equivalences and invalid schedules.
struct SlotScheduleTests {
    @Test func defaultSchedules() throws {
        #expect(SlotSchedule.defaultSchedule(for: .lcm) == .slots([0, 4, 12, 25, 37]))
        #expect(SlotSchedule.defaultSchedule(for: .ddim) == .steps(50))
        #expect(SlotSchedule.defaultSchedule(for: .euler) == .steps(50))
        #expect(SlotSchedule.defaultSchedule(for: .tcd) == .steps(4))
        let configuration = try SchedulerFixture("lcm-sd15").configuration
        let scheduler = try SchedulerKind.lcm.makeScheduler(configuration: configuration)
        #expect(scheduler.timesteps == [999, 919, 759, 499, 259])
    }

    /// LCM's own 4-step schedule is the panorama slot list [0, 12, 25, 37].
    @Test func lcmFourStepsArePanoramaSlots() throws {
        let configuration = try SchedulerFixture("lcm-sd15").configuration
        let steps = try LCMScheduler(configuration: configuration, schedule: .steps(4))
        let slots = try LCMScheduler(configuration: configuration, schedule: .panoramaSlots)
        #expect(steps.integerTimesteps == [999, 759, 499, 259])
        #expect(steps.integerTimesteps == slots.integerTimesteps && steps.cOut == slots.cOut)
    }

    /// DDIM on slots 0..<50 steps from grid timestep to grid timestep: the same as diffusers'
    /// trailing 50-step schedule (the fixture's `steps50`), coefficients included.
    @Test func ddimAllSlotsEqualTrailingFiftySteps() throws {
        let fixture = try SchedulerFixture("ddim-trailing")
        let slots = try DDIMScheduler(configuration: fixture.configuration, schedule: .slots(Array(0..<50)))
        let steps = try DDIMScheduler(configuration: fixture.configuration, schedule: .steps(50))
        #expect(slots.integerTimesteps == steps.integerTimesteps)
        #expect(slots.previousTimesteps == steps.previousTimesteps)
        #expect(slots.previousAlphaBar == steps.previousAlphaBar)
        var random = SplitMix64(seed: 3)
        let sample = random.tensor([1, 4, 2, 2]), modelOutput = random.tensor([1, 4, 2, 2])
        for slot in [0, 17, 49] {
            #expect(Difference(try slots.denoise(modelOutput: modelOutput, sample: sample, slot: slot),
                               try steps.denoise(modelOutput: modelOutput, sample: sample, slot: slot)).isExact)
        }
    }

    /// Euler's noise level sigma / sqrt(sigma^2 + 1) is b_t = sqrt(1 - abar_t) at integer
    /// timesteps up to float32 round-off (2 ulp), and its alpha-bar abar_t up to 3 ulp.
    @Test func eulerNoiseLevelIsTheMaskThreshold() throws {
        let fixture = try SchedulerFixture("euler-trailing")
        let euler = try EulerDiscreteScheduler(configuration: fixture.configuration, schedule: .steps(50))
        let tables = euler.tables
        let expectedLevel = euler.timesteps.map { (1 - tables.alphaBar[Int($0)]).squareRoot() }
        let expectedAlphaBar = euler.timesteps.map { tables.alphaBar[Int($0)] }
        #expect(Difference(euler.noiseLevel, expectedLevel).maximumULP <= 2, "\(Difference(euler.noiseLevel, expectedLevel))")
        #expect(Difference(euler.alphaBar, expectedAlphaBar).maximumULP <= 3, "\(Difference(euler.alphaBar, expectedAlphaBar))")
    }

    @Test func invalidSchedules() throws {
        let configuration = try SchedulerFixture("lcm-sd15").configuration
        for schedule: SlotSchedule in [.steps(0), .steps(51), .slots([]), .slots([0, 4, 4]), .slots([4, 0]), .slots([0, 50]), .slots([-1])] {
            #expect(throws: SchedulerError.self, "\(schedule)") { try LCMScheduler(configuration: configuration, schedule: schedule) }
        }
        #expect(throws: SchedulerError.self) { try DDIMScheduler(configuration: configuration, schedule: .steps(1001)) }
        #expect(throws: SchedulerError.self) { try DDIMScheduler(configuration: configuration, schedule: .steps(5), eta: -1) }
        #expect(throws: SchedulerError.self) { try EulerDiscreteScheduler(configuration: configuration, schedule: .steps(0)) }
        // TCD: at most original_inference_steps steps (diffusers raises above it), eta in 0...1
        // (diffusers asserts it), the same slot grid as LCM.
        for schedule: SlotSchedule in [.steps(0), .steps(51), .slots([]), .slots([4, 0]), .slots([0, 50])] {
            #expect(throws: SchedulerError.self, "\(schedule)") { try TCDScheduler(configuration: configuration, schedule: schedule) }
        }
        for eta: Float in [-0.1, 1.5, .nan] {
            #expect(throws: SchedulerError.self, "eta \(eta)") { try TCDScheduler(configuration: configuration, schedule: .steps(4), eta: eta) }
        }
        #expect(throws: Never.self) { try TCDScheduler(configuration: configuration, schedule: .steps(50), eta: 0) }
    }

    @Test func parsingSlotLists() throws {
        #expect(try SlotSchedule(parsingSlots: "0,4,12,25,37") == .defaultSlots)
        #expect(try SlotSchedule(parsingSlots: " 0, 12 ,25,37 ") == .panoramaSlots)
        do {
            _ = try SlotSchedule(parsingSlots: "0,four,12")
            Issue.record("must throw")
        } catch {
            #expect(error.description.contains("'four'"))
        }
    }
}
