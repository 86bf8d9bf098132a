import Foundation
import Schedulers
import TensorRuntime
import Testing

/// The flow-matching schedulers against `Tests/Fixtures/sd3/schedulers/` (made by
/// `Tools/make_sd3_fixtures.py`: diffusers 0.42.1 `FlowMatchEulerDiscreteScheduler`, and the Flash
/// Diffusion fork's `FlashFlowMatchEulerDiscreteScheduler` re-expressed there; torch 2.13.0, CPU
/// float32). Timesteps, sigmas and every step are compared bit for bit (the acceptance bound is
/// 1e-6; the measured difference is 0), the authors' mask levels within 1 ulp (torch's
/// float32 `x ** -0.5` is not correctly rounded).
@Suite struct FlowMatchSchedulerTests {
    static let root: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent("sd3").appendingPathComponent("schedulers").path
    }()

    static let flowMatchNames = ["flow-match-sd3", "flow-match-sd35", "flow-match-defaults"]
    static let stepCounts = [1, 2, 3, 4, 8, 28, 50]
    static let steppedCounts = [1, 2, 4, 28]
    static let authorsSlots = [0, 4, 12, 25, 37]

    /// SD3 Medium's `scheduler/scheduler_config.json` (shift 3.0).
    static func sd3() throws -> SchedulerConfiguration {
        try SchedulerConfiguration(folder: root + "/flow-match-sd3")
    }

    struct Fixture {
        let configuration: SchedulerConfiguration
        let reference: SafeTensorsFile
        init(_ name: String) throws {
            configuration = try SchedulerConfiguration(folder: FlowMatchSchedulerTests.root + "/" + name)
            reference = try SafeTensorsFile(path: FlowMatchSchedulerTests.root + "/" + name + "/reference.safetensors")
        }
        func tensor(_ key: String) throws -> Tensor { try reference.tensor(key) }
        func floats(_ key: String) throws -> [Float] { try reference.tensor(key).scalars }
        /// Entry `index` of a stacked per-slot tensor [n, ...].
        func slotTensor(_ key: String, _ index: Int) throws -> Tensor {
            let stacked = try tensor(key)
            return stacked.slice(outer: index, length: 1).reshaped(Array(stacked.shape.dropFirst()))
        }
    }

    static func expectWithinBound(_ difference: Difference, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(difference.maximumAbsolute <= 1e-6, "\(label): \(difference)", sourceLocation: sourceLocation)
        #expect(difference.isExact, "\(label): \(difference)", sourceLocation: sourceLocation)
    }

    @Test(arguments: flowMatchNames)
    func timestepsAndSigmasMatchDiffusers(_ name: String) throws {
        let fixture = try Fixture(name)
        for steps in Self.stepCounts {
            let scheduler = try FlowMatchEulerDiscreteScheduler(configuration: fixture.configuration, schedule: .steps(steps))
            Self.expectWithinBound(Difference(scheduler.timesteps, try fixture.floats("steps\(steps).timesteps")), "\(name) \(steps) steps timesteps")
            Self.expectWithinBound(Difference(scheduler.sigmas, try fixture.floats("steps\(steps).sigmas")), "\(name) \(steps) steps sigmas")
            #expect(scheduler.startsFromPureNoise && scheduler.initialNoiseSigma == 1)
        }
    }

    /// `step` (the whole Euler step is the denoise part) and `scale_noise` (``addNoise``) per slot.
    @Test(arguments: flowMatchNames)
    func stepsMatchDiffusers(_ name: String) throws {
        let fixture = try Fixture(name)
        let sample = try fixture.tensor("sample"), modelOutput = try fixture.tensor("model_output"), noise = try fixture.tensor("noise")
        for steps in Self.steppedCounts {
            let scheduler = try FlowMatchEulerDiscreteScheduler(configuration: fixture.configuration, schedule: .steps(steps))
            for slot in 0..<steps {
                let label = "\(name) \(steps) steps slot \(slot)"
                let denoised = try scheduler.denoise(modelOutput: modelOutput, sample: sample, slot: slot)
                Self.expectWithinBound(Difference(denoised, try fixture.slotTensor("steps\(steps).prev_sample", slot)), "\(label) step")
                #expect(Difference(try scheduler.noise(denoised, noise: noise, slot: slot), denoised).isExact && !scheduler.addsNoise(slot: slot))
                #expect(Difference(try scheduler.scaleModelInput(sample, slot: slot), sample).isExact)
                let added = try scheduler.addNoise(sample, noise: noise, slot: slot)
                Self.expectWithinBound(Difference(added, try fixture.slotTensor("steps\(steps).scale_noise", slot)), "\(label) scale_noise")
            }
        }
    }

    /// The fork's `set_timesteps(n)`: the same numbers as diffusers' (the fixture script asserts it).
    @Test func flashTimestepsAndSigmasMatchTheFork() throws {
        let fixture = try Fixture("flash-sd3")
        for steps in Self.stepCounts {
            let scheduler = try FlashFlowMatchEulerDiscreteScheduler(configuration: fixture.configuration, schedule: .steps(steps))
            Self.expectWithinBound(Difference(scheduler.timesteps, try fixture.floats("steps\(steps).timesteps")), "flash \(steps) steps timesteps")
            Self.expectWithinBound(Difference(scheduler.sigmas, try fixture.floats("steps\(steps).sigmas")), "flash \(steps) steps sigmas")
            let diffusers = try FlowMatchEulerDiscreteScheduler(configuration: fixture.configuration, schedule: .steps(steps))
            #expect(scheduler.timesteps == diffusers.timesteps && scheduler.sigmas == diffusers.sigmas)
        }
    }

    /// The fork's step split: denoise x0 = x - v * sigma, noise (1 - sigma') * x0 + sigma' * n,
    /// nothing after the last step.
    @Test func flashStepsMatchTheFork() throws {
        let fixture = try Fixture("flash-sd3")
        let sample = try fixture.tensor("sample"), modelOutput = try fixture.tensor("model_output"), noise = try fixture.tensor("noise")
        for steps in Self.steppedCounts {
            let scheduler = try FlashFlowMatchEulerDiscreteScheduler(configuration: fixture.configuration, schedule: .steps(steps))
            for slot in 0..<steps {
                let label = "flash \(steps) steps slot \(slot)"
                let denoised = try scheduler.denoise(modelOutput: modelOutput, sample: sample, slot: slot)
                Self.expectWithinBound(Difference(denoised, try fixture.slotTensor("steps\(steps).denoised", slot)), "\(label) denoised")
                let noised = try scheduler.noise(denoised, noise: noise, slot: slot)
                Self.expectWithinBound(Difference(noised, try fixture.slotTensor("steps\(steps).prev_sample", slot)), "\(label) prev_sample")
                #expect(scheduler.addsNoise(slot: slot) == (slot < steps - 1))
                let stepped = try scheduler.step(modelOutput: modelOutput, sample: sample, noise: noise, slots: [slot, slot])
                #expect(Difference(stepped, noised).isExact)
            }
        }
    }

    /// The SemanticDraw authors' SD3 set-up: `set_timesteps(50)`, slots [0, 4, 12, 25, 37], each
    /// slot's noise part going to the next slot's sigma, masks quantised against
    /// sigma / sqrt(sigma^2 + 1).
    @Test func authorsSlotSchedule() throws {
        let fixture = try Fixture("flash-sd3")
        let sample = try fixture.tensor("sample"), modelOutput = try fixture.tensor("model_output"), noise = try fixture.tensor("noise")
        let scheduler = try FlashFlowMatchEulerDiscreteScheduler(configuration: fixture.configuration, schedule: .slots(Self.authorsSlots))
        Self.expectWithinBound(Difference(scheduler.timesteps, try fixture.floats("slots.timesteps")), "slot timesteps")
        Self.expectWithinBound(Difference(Array(scheduler.sigmas.dropLast()), try fixture.floats("slots.sigmas")), "slot sigmas")
        #expect(scheduler.sigmas.last == 0 && scheduler.startsFromPureNoise)
        let levels = Difference(scheduler.noiseLevel, try fixture.floats("slots.noise_levels"))
        #expect(levels.maximumULP <= 1 && levels.maximumAbsolute <= 1e-7, "noise levels: \(levels)")
        for slot in Self.authorsSlots.indices {
            let denoised = try scheduler.denoise(modelOutput: modelOutput, sample: sample, slot: slot)
            Self.expectWithinBound(Difference(denoised, try fixture.slotTensor("slots.denoised", slot)), "slot \(slot) denoised")
            let noised = try scheduler.noise(denoised, noise: noise, slot: slot)
            Self.expectWithinBound(Difference(noised, try fixture.slotTensor("slots.prev_sample", slot)), "slot \(slot) prev_sample")
        }
        // The same slots of the 50-step flow-match Euler schedule step from slot to slot.
        let euler = try FlowMatchEulerDiscreteScheduler(configuration: fixture.configuration, schedule: .slots(Self.authorsSlots))
        #expect(euler.sigmas == scheduler.sigmas && euler.timesteps == scheduler.timesteps)
    }

    @Test func configurationAndKinds() throws {
        let sd3 = try Self.sd3()
        #expect(sd3.className == "FlowMatchEulerDiscreteScheduler" && sd3.shift == 3 && sd3.presentFields.contains("shift"))
        #expect(sd3.className.flatMap(SchedulerKind.init(className:)) == .flowMatchEuler)
        #expect(try SchedulerKind(parsing: "flow-match-euler") == .flowMatchEuler)
        #expect(try SchedulerKind(parsing: "FlashFlowMatchEulerDiscreteScheduler") == .flashFlowMatchEuler)
        #expect(!SchedulerKind.flowMatchEuler.usesTrainingTables && SchedulerKind.ddim.usesTrainingTables)
        let defaults = try ConfigurationTests.read("{\"_class_name\": \"FlowMatchEulerDiscreteScheduler\"}")
        #expect(defaults.shift == 1 && defaults.trainingTimestepCount == 1000 && !defaults.useDynamicShifting)
        let sd35 = try SchedulerConfiguration(folder: Self.root + "/flow-match-sd35")
        #expect(sd35.shift == 3 && sd35.shiftTerminal == nil && !sd35.invertSigmas)
        // makeScheduler builds each kind with its default schedule.
        let flow = try #require(try SchedulerKind.flowMatchEuler.makeScheduler(configuration: sd3) as? FlowMatchEulerDiscreteScheduler)
        #expect(flow.schedule == .steps(28) && flow.slotCount == 28)
        let flash = try #require(try SchedulerKind.flashFlowMatchEuler.makeScheduler(configuration: sd3, eta: 1) as? FlashFlowMatchEulerDiscreteScheduler)
        #expect(flash.schedule == .steps(4) && flash.timesteps.count == 4 && flash.timesteps[0] == 1000)
        // An SD1.5 (PNDM) configuration read as flow matching takes shift 1.
        let fromSD15 = try FlowMatchEulerDiscreteScheduler(configuration: try SchedulerSeamTests.stableDiffusion15(), schedule: .steps(4))
        #expect(fromSD15.configuration.shift == 1 && fromSD15.sigmas.count == 5)
        // Encoding keeps the flow-matching fields for a flow-matching class only.
        let encoded = String(decoding: try JSONEncoder().encode(sd3), as: UTF8.self)
        #expect(encoded.contains("\"shift\":3") && encoded.contains("\"use_dynamic_shifting\":false"))
        let encodedSD15 = String(decoding: try JSONEncoder().encode(try SchedulerSeamTests.stableDiffusion15()), as: UTF8.self)
        #expect(!encodedSD15.contains("shift\""))
        var decoded = try SchedulerConfiguration(data: Data(encoded.utf8), file: sd3.sourceFile)
        decoded.presentFields = sd3.presentFields
        #expect(decoded == sd3)
    }

    @Test func unsupportedOptionsAreNamed() throws {
        func build(_ json: String) throws -> FlowMatchEulerDiscreteScheduler {
            try FlowMatchEulerDiscreteScheduler(configuration: try ConfigurationTests.read(json))
        }
        for (field, value) in [("use_dynamic_shifting", "true"), ("invert_sigmas", "true"), ("shift_terminal", "0.1"),
                               ("stochastic_sampling", "true"), ("use_karras_sigmas", "true"), ("use_exponential_sigmas", "true"),
                               ("use_beta_sigmas", "true")] {
            ConfigurationTests.expectError(["test/scheduler_config.json", "'\(field)'", value]) {
                _ = try build("{\"_class_name\": \"FlowMatchEulerDiscreteScheduler\", \"\(field)\": \(value)}")
            }
        }
        for value in ["0", "-1"] {
            ConfigurationTests.expectError(["'shift'", "positive finite"]) {
                _ = try build("{\"_class_name\": \"FlowMatchEulerDiscreteScheduler\", \"shift\": \(value)}")
            }
        }
        ConfigurationTests.expectError(["'shift'", "wrong type"]) { _ = try build("{\"shift\": \"three\"}") }
        // The fork reads only num_train_timesteps and shift.
        let dynamic = try ConfigurationTests.read("{\"_class_name\": \"FlowMatchEulerDiscreteScheduler\", \"shift\": 3, \"use_dynamic_shifting\": true}")
        #expect(throws: Never.self) { try FlashFlowMatchEulerDiscreteScheduler(configuration: dynamic) }
        // Schedules: step counts and slot lists are checked.
        let sd3 = try Self.sd3()
        ConfigurationTests.expectError(["step count 0"]) { _ = try FlowMatchEulerDiscreteScheduler(configuration: sd3, schedule: .steps(0)) }
        ConfigurationTests.expectError(["slot 50", "50-step grid"]) {
            _ = try FlashFlowMatchEulerDiscreteScheduler(configuration: sd3, schedule: .slots([0, 50]))
        }
        ConfigurationTests.expectError(["strictly increasing"]) {
            _ = try FlashFlowMatchEulerDiscreteScheduler(configuration: sd3, schedule: .slots([4, 4]))
        }
    }
}
