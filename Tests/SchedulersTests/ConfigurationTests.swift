import Foundation
import Schedulers
import Testing

/// Reading `scheduler_config.json`: defaults per class, folders, and errors that name the
/// file, the field and the value.
struct ConfigurationTests {
    /// SD1.5's PNDMScheduler config, as shipped in `scheduler/scheduler_config.json`.
    static let stableDiffusion15 = """
    {"_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012,
     "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
     "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null,
     "clip_sample": false}
    """

    static func read(_ json: String, file: String = "test/scheduler_config.json") throws(SchedulerError) -> SchedulerConfiguration {
        try SchedulerConfiguration(data: Data(json.utf8), file: file)
    }

    /// Expects `body` to throw a ``SchedulerError`` whose message contains every string in `parts`.
    static func expectError(_ parts: [String], sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an error mentioning \(parts)", sourceLocation: sourceLocation)
        } catch {
            guard let error = error as? SchedulerError else {
                Issue.record("expected a SchedulerError, got \(error)", sourceLocation: sourceLocation)
                return
            }
            for part in parts {
                #expect(error.description.contains(part), "'\(error.description)' should mention \(part)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func fromConfigDefaultsFollowTheTargetClass() throws {
        let configuration = try ConfigurationTests.read(ConfigurationTests.stableDiffusion15)
        #expect(configuration.className == "PNDMScheduler")
        #expect(configuration.betaSchedule == .scaledLinear && configuration.betaStart == 0.00085 && configuration.stepsOffset == 1)
        #expect(configuration.presentFields.contains("beta_end") && !configuration.presentFields.contains("trained_betas"))
        let lcm = configuration.adapted(to: .lcm)
        #expect(lcm.originalInferenceSteps == 50 && lcm.timestepScaling == 10 && lcm.timestepSpacing == .leading)
        #expect(lcm.setAlphaToOne == false && lcm.clipSample == false)
        // Absent from the file: DDIM's default clip_sample is true, but this file says false.
        #expect(configuration.adapted(to: .ddim).clipSample == false)
        // Euler's default spacing is linspace when the file does not say.
        #expect(configuration.adapted(to: .euler).timestepSpacing == .linspace)
        let bare = try ConfigurationTests.read("{}")
        #expect(bare.adapted(to: .lcm).betaSchedule == .scaledLinear && bare.adapted(to: .lcm).betaEnd == 0.012)
        #expect(bare.adapted(to: .ddim).betaSchedule == .linear && bare.adapted(to: .ddim).clipSample)
        // The LCM-LoRA pipeline: LCMScheduler.from_config(SD1.5) gives the default slots.
        let scheduler = try LCMScheduler(configuration: configuration)
        #expect(scheduler.integerTimesteps == [999, 919, 759, 499, 259])
    }

    @Test func fixtureConfigurationsMatchTheirClasses() throws {
        for name in SchedulerFixture.allNames {
            let fixture = try SchedulerFixture(name)
            let kind = try SchedulerKind(parsing: fixture.className)
            // The Hyper-SD fixtures keep SD1.5's own PNDMScheduler file, as a pipeline folder has it.
            let fileKind = fixture.configuration.className.flatMap(SchedulerKind.init(className:))
            #expect(fileKind == kind || fixture.configuration.className == "PNDMScheduler", "\(name)")
        }
    }

    @Test func pipelineFolderOrSchedulerFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("schedulers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let schedulerFolder = root.appendingPathComponent("scheduler")
        try FileManager.default.createDirectory(at: schedulerFolder, withIntermediateDirectories: true)
        try Data(ConfigurationTests.stableDiffusion15.utf8).write(to: schedulerFolder.appendingPathComponent("scheduler_config.json"))
        let fromPipeline = try SchedulerConfiguration(folder: root.path)
        let fromScheduler = try SchedulerConfiguration(folder: schedulerFolder.path)
        #expect(fromPipeline == fromScheduler)
        #expect(fromPipeline.sourceFile.hasSuffix("scheduler/scheduler_config.json"))
        ConfigurationTests.expectError([root.path + "/nothing", "no such folder"]) {
            _ = try SchedulerConfiguration(folder: root.path + "/nothing")
        }
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        ConfigurationTests.expectError([empty.path, "scheduler_config.json"]) { _ = try SchedulerConfiguration(folder: empty.path) }
    }

    @Test func codableRoundTrip() throws {
        let configuration = try ConfigurationTests.read(ConfigurationTests.stableDiffusion15).adapted(to: .lcm)
        let data = try JSONEncoder().encode(configuration)
        var decoded = try SchedulerConfiguration(data: data, file: configuration.sourceFile)
        decoded.presentFields = configuration.presentFields
        #expect(decoded == configuration)
        #expect(String(decoding: data, as: UTF8.self).contains("\"original_inference_steps\":50"))
    }

    @Test func unknownSchedulerNameIsNamed() throws {
        #expect(try SchedulerKind(parsing: "LCM") == .lcm)
        #expect(try SchedulerKind(parsing: "EulerDiscreteScheduler") == .euler)
        #expect(try SchedulerKind(parsing: " tcd ") == .tcd && (try SchedulerKind(parsing: "TCDScheduler")) == .tcd)
        #expect(throws: SchedulerError.unknownScheduler(value: "dpm++", supported: ["lcm", "ddim", "euler", "tcd", "flow-match-euler",
                                                                                   "flash-flow-match-euler"])) {
            try SchedulerKind(parsing: "dpm++")
        }
        ConfigurationTests.expectError(["'dpm++'", "lcm, ddim, euler, tcd"]) { _ = try SchedulerKind(parsing: "dpm++") }
    }

    @Test func malformedJSONNamesTheFileAndField() {
        ConfigurationTests.expectError(["bad/scheduler_config.json", "not a valid JSON object"]) {
            _ = try ConfigurationTests.read("{\"beta_start\": 0.1,", file: "bad/scheduler_config.json")
        }
        ConfigurationTests.expectError(["test/scheduler_config.json", "'beta_start'", "wrong type", "a number"]) {
            _ = try ConfigurationTests.read("{\"beta_start\": \"small\"}")
        }
        ConfigurationTests.expectError(["'num_train_timesteps'", "an integer"]) {
            _ = try ConfigurationTests.read("{\"num_train_timesteps\": \"1000\"}")
        }
        ConfigurationTests.expectError(["'set_alpha_to_one'", "true or false"]) {
            _ = try ConfigurationTests.read("{\"set_alpha_to_one\": 1.5}")
        }
        ConfigurationTests.expectError(["'num_train_timesteps'", "must be positive", "-3"]) {
            _ = try ConfigurationTests.read("{\"num_train_timesteps\": -3}")
        }
        ConfigurationTests.expectError(["'beta_end'", "must not be negative"]) {
            _ = try ConfigurationTests.read("{\"beta_end\": -0.1}")
        }
        ConfigurationTests.expectError(["'original_inference_steps'", "more than num_train_timesteps"]) {
            _ = try LCMScheduler(configuration: try ConfigurationTests.read("{\"original_inference_steps\": 2000}"))
        }
    }

    @Test func unsupportedValuesAreNamed() {
        ConfigurationTests.expectError(["test/scheduler_config.json", "'beta_schedule'", "\"squaredcos_cap_v2\"", "\"scaled_linear\""]) {
            _ = try ConfigurationTests.read("{\"beta_schedule\": \"squaredcos_cap_v2\"}")
        }
        ConfigurationTests.expectError(["'prediction_type'", "\"sample\"", "\"v_prediction\""]) {
            _ = try ConfigurationTests.read("{\"prediction_type\": \"sample\"}")
        }
        ConfigurationTests.expectError(["'timestep_spacing'", "\"karras\""]) {
            _ = try ConfigurationTests.read("{\"timestep_spacing\": \"karras\"}")
        }
        ConfigurationTests.expectError(["'final_sigmas_type'", "\"max\""]) {
            _ = try ConfigurationTests.read("{\"final_sigmas_type\": \"max\"}")
        }
        // Options only some classes use are checked when that class is built.
        let karras = try? ConfigurationTests.read("{\"use_karras_sigmas\": true}")
        #expect(karras != nil)
        if let karras {
            #expect(throws: Never.self) { try LCMScheduler(configuration: karras) }
            ConfigurationTests.expectError(["'use_karras_sigmas'", "true"]) { _ = try EulerDiscreteScheduler(configuration: karras) }
        }
        ConfigurationTests.expectError(["'trained_betas'"]) {
            _ = try DDIMScheduler(configuration: try ConfigurationTests.read("{\"trained_betas\": [0.1, 0.2]}"))
        }
        ConfigurationTests.expectError(["'thresholding'"]) {
            _ = try DDIMScheduler(configuration: try ConfigurationTests.read("{\"thresholding\": true}"))
        }
        ConfigurationTests.expectError(["'rescale_betas_zero_snr'"]) {
            _ = try LCMScheduler(configuration: try ConfigurationTests.read("{\"rescale_betas_zero_snr\": true}"))
        }
        ConfigurationTests.expectError(["'interpolation_type'", "\"log_linear\""]) {
            _ = try EulerDiscreteScheduler(configuration: try ConfigurationTests.read("{\"interpolation_type\": \"log_linear\"}"))
        }
    }
}
