import Schedulers
import TensorRuntime
import Testing

/// The Hyper-SD SD1.5 set-ups built the way its pipelines build them, from SD1.5's own
/// `scheduler_config.json` (PNDMScheduler, the file of the `tcd-sd15` and `ddim-trailing-sd15`
/// fixtures): the 1-step LoRA with `TCDScheduler.from_config(config)`, 1 step, eta 1.0; the
/// 2/4/8-step LoRAs with `DDIMScheduler.from_config(config, timestep_spacing="trailing")`, eta 0.
/// References: diffusers 0.42.1 (the fixtures); steps with the IEEE square root within
/// ``Tolerance/relativeTensor`` (StepParityTests checks them bit for bit with torch's).
struct HyperSDTests {
    @Test func oneStepTCD() throws {
        let fixture = try SchedulerFixture("tcd-sd15")
        #expect(fixture.fileConfiguration.className == "PNDMScheduler")
        let built = try SchedulerKind.tcd.makeScheduler(configuration: fixture.fileConfiguration, schedule: .steps(1), eta: 1)
        let scheduler = try #require(built as? TCDScheduler)
        #expect(scheduler.integerTimesteps == [999] && scheduler.previousTimesteps == [0] && scheduler.intermediateTimesteps == [0])
        #expect(scheduler.startsFromPureNoise && scheduler.initialNoiseSigma == 1 && !scheduler.addsNoise(slot: 0))
        let sample = try fixture.tensor("sample"), modelOutput = try fixture.tensor("model_output"), noise = try fixture.tensor("noise")
        let stepped = try scheduler.step(modelOutput: modelOutput, sample: sample, noise: noise, slots: [0, 0])
        let denoised = try scheduler.denoise(modelOutput: modelOutput, sample: sample, slot: 0)
        #expect(Difference(stepped, denoised).isExact, "one step: the noise part adds nothing")
        let reference = Difference(stepped, try fixture.perSlot("steps1.prev_sample", 0))
        #expect(reference.maximumRelative <= Tolerance.relativeTensor, "\(reference)")
        // The 1-step output is sqrt(abar_0) * x0 + sqrt(1 - abar_0) * eps, not x0 (diffusers too).
        #expect(scheduler.intermediateAlphaBar == [scheduler.tables.alphaBar[0]])
    }

    /// diffusers' `DDIMScheduler.from_config(sd15, timestep_spacing="trailing").set_timesteps(n)`.
    static let trailingTimesteps: [Int: [Int]] = [
        2: [999, 499],
        4: [999, 749, 499, 249],
        8: [999, 874, 749, 624, 499, 374, 249, 124],
    ]

    @Test(arguments: [2, 4, 8])
    func trailingDDIM(steps: Int) throws {
        let fixture = try SchedulerFixture("ddim-trailing-sd15")
        let configuration = fixture.fileConfiguration.overriding(timestepSpacing: .trailing)
        #expect(configuration == fixture.configuration)
        let built = try SchedulerKind.ddim.makeScheduler(configuration: configuration, schedule: .steps(steps))
        let scheduler = try #require(built as? DDIMScheduler)
        #expect(scheduler.eta == 0 && scheduler.startsFromPureNoise)
        #expect(scheduler.integerTimesteps == HyperSDTests.trailingTimesteps[steps])
        // Each step goes to t - 1000 / n: the next slot (n divides 1000), and after the last to
        // the final alpha-bar, abar_0 (SD1.5's set_alpha_to_one is false).
        #expect(scheduler.previousTimesteps == scheduler.integerTimesteps.map { $0 - 1000 / steps })
        #expect(scheduler.previousAlphaBar.last == scheduler.tables.alphaBar[0])
        let sample = try fixture.tensor("sample"), modelOutput = try fixture.tensor("model_output"), noise = try fixture.tensor("noise")
        for slot in 0..<steps {
            let stepped = try scheduler.step(modelOutput: modelOutput, sample: sample, noise: noise, slots: [slot, slot])
            let denoised = try scheduler.denoise(modelOutput: modelOutput, sample: sample, slot: slot)
            #expect(Difference(stepped, denoised).isExact, "slot \(slot): eta 0, the noise part adds nothing")
            let reference = Difference(stepped, try fixture.perSlot("steps\(steps).prev_sample", slot))
            #expect(reference.maximumRelative <= Tolerance.relativeTensor, "slot \(slot): \(reference)")
        }
        // Without the override SD1.5's file gives DDIM "leading" + steps_offset 1.
        let leading = try DDIMScheduler(configuration: fixture.fileConfiguration, schedule: .steps(steps))
        #expect(leading.integerTimesteps == (0..<steps).reversed().map { $0 * (1000 / steps) + 1 })
        #expect(!leading.startsFromPureNoise)
    }
}
