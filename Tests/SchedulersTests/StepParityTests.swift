import Schedulers
import TensorRuntime
import Testing

/// One diffusers 0.42.1 `step` per slot on fixed seeded [2, 4, 4, 4] tensors (`sample`,
/// `model_output`, `noise`), for the step counts 1, 2, 4, 5, 8 and the slot lists (the Hyper-SD
/// fixtures: TCD eta 1.0 with 1, 2, 4 steps, eta 0.3 with 4 steps and slots [0,4,12,25,37];
/// DDIM "trailing" from SD1.5's config with 2, 4, 8 steps, in `ddimSteps`). With torch's
/// square roots every result is bit-identical to diffusers (the kernels follow diffusers'
/// float32 operation order); with the IEEE square root it is within ``Tolerance/relativeTensor``.
struct StepParityTests {
    /// LCM: denoise == `denoised`, noise(denoise) == `prev_sample` (diffusers' step with the
    /// fixture noise), addNoise == `add_noise`.
    @Test(arguments: SchedulerFixture.lcmNames, SquareRootSource.allCases)
    func lcmDenoiseThenNoiseIsTheStep(name: String, source: SquareRootSource) throws {
        let fixture = try SchedulerFixture(name)
        let torch = try TorchSquareRoot(fixture)
        let sample = try fixture.tensor("sample"), modelOutput = try fixture.tensor("model_output"), noise = try fixture.tensor("noise")
        var worst: Float = 0
        for testCase in fixture.cases where fixture.isStepped(testCase) {
            let scheduler = try fixture.lcm(testCase, source, torch)
            for slot in 0..<scheduler.slotCount {
                let label = "\(name) \(testCase.name) slot \(slot) (\(source) sqrt)"
                let denoised = try scheduler.denoise(modelOutput: modelOutput, sample: sample, slot: slot)
                let stepped = try scheduler.noise(denoised, noise: noise, slot: slot)
                let noised = try scheduler.addNoise(sample, noise: noise, slot: slot)
                let differences = [
                    ("denoise", Difference(denoised, try fixture.perSlot(testCase.name + ".denoised", slot))),
                    ("denoise+noise vs step", Difference(stepped, try fixture.perSlot(testCase.name + ".prev_sample", slot))),
                    ("add_noise", Difference(noised, try fixture.perSlot(testCase.name + ".add_noise", slot))),
                ]
                for (what, difference) in differences {
                    #expect(difference.isAcceptable(source), "\(label) \(what): \(difference)")
                    worst = max(worst, difference.maximumRelative)
                }
                #expect(scheduler.addsNoise(slot: slot) == (slot + 1 < scheduler.slotCount))
            }
        }
        #expect(torch.misses.isEmpty, "square roots torch never took: \(torch.misses)")
        print("LCM \(name) (\(source) sqrt): largest relative difference \(worst)")
    }

    /// DDIM: eta 0 denoise == the full step and the noise part adds nothing; eta > 0 denoise
    /// then noise == the step with `variance_noise`; addNoise == `add_noise`.
    @Test(arguments: SchedulerFixture.ddimNames, SquareRootSource.allCases)
    func ddimSteps(name: String, source: SquareRootSource) throws {
        let fixture = try SchedulerFixture(name)
        let torch = try TorchSquareRoot(fixture)
        let sample = try fixture.tensor("sample"), modelOutput = try fixture.tensor("model_output"), noise = try fixture.tensor("noise")
        var worst: Float = 0
        for testCase in fixture.cases where fixture.isStepped(testCase) {
            let deterministic = try fixture.ddim(testCase, eta: 0, source, torch)
            let stochastic = try fixture.ddim(testCase, eta: fixture.ddimEta, source, torch)
            for slot in 0..<deterministic.slotCount {
                let label = "\(name) \(testCase.name) slot \(slot) (\(source) sqrt)"
                let denoised = try deterministic.denoise(modelOutput: modelOutput, sample: sample, slot: slot)
                let unchanged = try deterministic.noise(denoised, noise: noise, slot: slot)
                let stepped = try stochastic.noise(try stochastic.denoise(modelOutput: modelOutput, sample: sample, slot: slot), noise: noise, slot: slot)
                let noised = try deterministic.addNoise(sample, noise: noise, slot: slot)
                let differences = [
                    ("eta 0 denoise vs step", Difference(denoised, try fixture.perSlot(testCase.name + ".prev_sample", slot))),
                    ("eta \(fixture.ddimEta) denoise+noise vs step", Difference(stepped, try fixture.perSlot(testCase.name + ".prev_sample_eta", slot))),
                    ("add_noise", Difference(noised, try fixture.perSlot(testCase.name + ".add_noise", slot))),
                ]
                for (what, difference) in differences {
                    #expect(difference.isAcceptable(source), "\(label) \(what): \(difference)")
                    worst = max(worst, difference.maximumRelative)
                }
                #expect(Difference(unchanged, denoised).isExact, "\(label) eta 0 noise part must add nothing")
                let whole = try deterministic.step(modelOutput: modelOutput, sample: sample, noise: noise, slots: [slot, slot])
                #expect(Difference(whole, unchanged).isExact, "\(label) eta 0 step must be noise(denoise)")
                #expect(!deterministic.addsNoise(slot: slot) && stochastic.addsNoise(slot: slot))
            }
        }
        #expect(torch.misses.isEmpty, "square roots torch never took: \(torch.misses)")
        print("DDIM \(name) (\(source) sqrt): largest relative difference \(worst)")
    }

    /// Euler: denoise == the full step, the noise part adds nothing, scaleModelInput ==
    /// `scale_model_input`, addNoise == `add_noise`.
    @Test(arguments: SchedulerFixture.eulerNames, SquareRootSource.allCases)
    func eulerSteps(name: String, source: SquareRootSource) throws {
        let fixture = try SchedulerFixture(name)
        let torch = try TorchSquareRoot(fixture)
        let sample = try fixture.tensor("sample"), modelOutput = try fixture.tensor("model_output"), noise = try fixture.tensor("noise")
        var worst: Float = 0
        for testCase in fixture.cases where fixture.isStepped(testCase) {
            let scheduler = try fixture.euler(testCase, source, torch)
            for slot in 0..<scheduler.slotCount {
                let label = "\(name) \(testCase.name) slot \(slot) (\(source) sqrt)"
                let denoised = try scheduler.denoise(modelOutput: modelOutput, sample: sample, slot: slot)
                let differences = [
                    ("denoise vs step", Difference(denoised, try fixture.perSlot(testCase.name + ".prev_sample", slot))),
                    ("scale_model_input", Difference(try scheduler.scaleModelInput(sample, slot: slot), try fixture.perSlot(testCase.name + ".scaled_model_input", slot))),
                    ("add_noise", Difference(try scheduler.addNoise(sample, noise: noise, slot: slot), try fixture.perSlot(testCase.name + ".add_noise", slot))),
                ]
                for (what, difference) in differences {
                    #expect(difference.isAcceptable(source), "\(label) \(what): \(difference)")
                    worst = max(worst, difference.maximumRelative)
                }
                #expect(Difference(try scheduler.noise(denoised, noise: noise, slot: slot), denoised).isExact, "\(label) noise part must add nothing")
            }
        }
        #expect(torch.misses.isEmpty, "square roots torch never took: \(torch.misses)")
        print("Euler \(name) (\(source) sqrt): largest relative difference \(worst)")
    }

    /// TCD: denoise == `pred_noised_sample`, noise(denoise) == `prev_sample` (diffusers' step,
    /// whose seeded generator drew exactly the fixture noise), `step` == noise(denoise),
    /// addNoise == `add_noise`; the noise part is used exactly where diffusers draws noise.
    @Test(arguments: SchedulerFixture.tcdNames, SquareRootSource.allCases)
    func tcdSteps(name: String, source: SquareRootSource) throws {
        let fixture = try SchedulerFixture(name)
        let torch = try TorchSquareRoot(fixture)
        let sample = try fixture.tensor("sample"), modelOutput = try fixture.tensor("model_output"), noise = try fixture.tensor("noise")
        var worst: Float = 0
        for testCase in fixture.cases where fixture.isStepped(testCase) {
            let scheduler = try fixture.tcd(testCase, source, torch)
            for slot in 0..<scheduler.slotCount {
                let label = "\(name) \(testCase.name) slot \(slot) (\(source) sqrt)"
                let denoised = try scheduler.denoise(modelOutput: modelOutput, sample: sample, slot: slot)
                let stepped = try scheduler.noise(denoised, noise: noise, slot: slot)
                let whole = try scheduler.step(modelOutput: modelOutput, sample: sample, noise: noise, slots: [slot, slot])
                let differences = [
                    ("denoise vs pred_noised_sample", Difference(denoised, try fixture.perSlot(testCase.name + ".denoised", slot))),
                    ("denoise+noise vs step", Difference(stepped, try fixture.perSlot(testCase.name + ".prev_sample", slot))),
                    ("add_noise", Difference(try scheduler.addNoise(sample, noise: noise, slot: slot), try fixture.perSlot(testCase.name + ".add_noise", slot))),
                ]
                for (what, difference) in differences {
                    #expect(difference.isAcceptable(source), "\(label) \(what): \(difference)")
                    worst = max(worst, difference.maximumRelative)
                }
                #expect(Difference(whole, stepped).isExact, "\(label) step must be noise(denoise)")
                let drawsNoise = scheduler.eta > 0 && slot + 1 < scheduler.slotCount
                #expect(scheduler.addsNoise(slot: slot) == drawsNoise, "\(label)")
                if !drawsNoise {
                    #expect(Difference(stepped, denoised).isExact, "\(label) the noise part must add nothing")
                }
                #expect(Difference(try scheduler.scaleModelInput(sample, slot: slot), sample).isExact)
            }
        }
        #expect(torch.misses.isEmpty, "square roots torch never took: \(torch.misses)")
        print("TCD \(name) (\(source) sqrt): largest relative difference \(worst)")
    }
}
