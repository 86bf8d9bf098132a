import Foundation
@testable import Schedulers
import TensorRuntime

/// Which float32 square root the coefficients are built with.
enum SquareRootSource: String, CaseIterable, Sendable, CustomStringConvertible {
    /// torch 2.13.0's CPU results, recorded by the fixture script for every input diffusers
    /// took a square root of. torch's float32 sqrt is not correctly rounded (about one input in
    /// five comes out 1 ulp off), so with it the Swift kernels must match diffusers bit for bit.
    case torch
    /// The IEEE (correctly rounded) square root the library uses: coefficients within 2 ulp
    /// of diffusers', tensors within ``Tolerance``.
    case ieee

    var description: String { rawValue }
}

/// The tolerances for IEEE square roots: coefficients 2 ulp; tensors max-abs 2^-20 (about
/// 9.5e-7) times max(1, largest expected magnitude) — float32 round-off of a few operations on
/// coefficients that are themselves 1 ulp apart.
enum Tolerance {
    static let coefficientULP = 2
    static let relativeTensor: Float = 1.0 / 1_048_576
}

/// torch's square roots as recorded in a fixture; inputs not recorded fall back to the IEEE
/// square root and are counted.
final class TorchSquareRoot {
    private var table: [UInt32: Float] = [:]
    private(set) var misses: [Float] = []

    init(_ fixture: SchedulerFixture) throws {
        let inputs = try fixture.floats("torch_sqrt.inputs"), outputs = try fixture.floats("torch_sqrt.outputs")
        for (input, output) in zip(inputs, outputs) { table[input.bitPattern] = output }
    }

    func callAsFunction(_ value: Float) -> Float {
        if let result = table[value.bitPattern] { return result }
        misses.append(value)
        return value.squareRoot()
    }
}

/// The scheduler fixtures made by `Tools/make_scheduler_fixtures.py` (diffusers 0.42.1,
/// torch 2.13.0, CPU float32): one folder per configuration with `scheduler_config.json` and
/// `reference.safetensors`. The Hyper-SD fixtures (`tcd-sd15`, `ddim-trailing-sd15`) hold SD1.5's
/// own PNDMScheduler config and the `from_config` keyword overrides in their metadata; their
/// ``configuration`` has the overrides applied, as the Hyper-SD pipelines build them.
struct SchedulerFixture: CustomStringConvertible, Sendable {
    /// One schedule recorded in a fixture.
    struct Case: Decodable, Sendable {
        let name: String
        let steps: Int?
        let slots: [Int]?
        /// The eta of the recorded steps (TCD only).
        let eta: Float?

        var schedule: SlotSchedule {
            if let steps { return .steps(steps) }
            return .slots(slots ?? [])
        }
    }

    static let root: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent("schedulers").path
    }()

    static let lcmNames = ["lcm-sd15"]
    static let ddimNames = ["ddim-leading", "ddim-trailing", "ddim-linspace-linear", "ddim-trailing-sd15"]
    static let eulerNames = ["euler-leading", "euler-trailing", "euler-linspace", "euler-vpred-sigma-min"]
    static let tcdNames = ["tcd-sd15"]
    static let allNames = lcmNames + ddimNames + eulerNames + tcdNames

    let name: String
    let folder: String
    /// The configuration the schedulers are built from: the file's, with the recorded
    /// `from_config` overrides applied.
    let configuration: SchedulerConfiguration
    /// The file's configuration as read.
    let fileConfiguration: SchedulerConfiguration
    let reference: SafeTensorsFile
    let cases: [Case]
    /// The step counts for which one step per slot was recorded (the slot lists always are).
    let steppedCounts: Set<Int>
    /// DDIM's eta > 0 of `prev_sample_eta` (DDIM fixtures; 0.7 elsewhere too, unused).
    let ddimEta: Float
    /// The diffusers class the fixture was recorded with.
    let className: String

    init(_ name: String) throws {
        self.name = name
        folder = SchedulerFixture.root + "/" + name
        fileConfiguration = try SchedulerConfiguration(folder: folder)
        reference = try SafeTensorsFile(path: folder + "/reference.safetensors")
        let metadata = try JSONDecoder().decode(Metadata.self, from: Data((reference.metadata["fixture"] ?? "{}").utf8))
        className = metadata.class
        cases = metadata.schedules
        steppedCounts = Set(metadata.stepped)
        ddimEta = metadata.ddim_eta ?? 0
        var configuration = fileConfiguration
        for (key, value) in metadata.from_config ?? [:] {
            guard key == "timestep_spacing", let spacing = TimestepSpacing(rawValue: value) else {
                throw FixtureError.unsupportedOverride(key: key, value: value)
            }
            configuration = configuration.overriding(timestepSpacing: spacing)
        }
        self.configuration = configuration
    }

    /// The safetensors metadata entry `fixture`.
    private struct Metadata: Decodable {
        let `class`: String
        let schedules: [Case]
        let stepped: [Int]
        let ddim_eta: Float?
        /// `from_config` keyword overrides (Hyper-SD fixtures).
        let from_config: [String: String]?
    }

    enum FixtureError: Error {
        case unsupportedOverride(key: String, value: String)
    }

    var description: String { name }

    /// Whether one step per slot was recorded for `testCase`.
    func isStepped(_ testCase: Case) -> Bool {
        testCase.steps.map { steppedCounts.contains($0) } ?? true
    }

    func tensor(_ key: String) throws -> Tensor { try reference.tensor(key) }

    /// An LCM scheduler for `testCase` whose square roots come from `source`.
    func lcm(_ testCase: Case, _ source: SquareRootSource, _ torch: TorchSquareRoot) throws -> LCMScheduler {
        switch source {
        case .ieee: return try LCMScheduler(configuration: configuration, schedule: testCase.schedule)
        case .torch: return try LCMScheduler(configuration: configuration, schedule: testCase.schedule, squareRoot: { torch($0) })
        }
    }

    /// A DDIM scheduler for `testCase` and `eta` whose square roots come from `source`.
    func ddim(_ testCase: Case, eta: Float, _ source: SquareRootSource, _ torch: TorchSquareRoot) throws -> DDIMScheduler {
        switch source {
        case .ieee: return try DDIMScheduler(configuration: configuration, schedule: testCase.schedule, eta: eta)
        case .torch: return try DDIMScheduler(configuration: configuration, schedule: testCase.schedule, eta: eta, squareRoot: { torch($0) })
        }
    }

    /// An Euler scheduler for `testCase` whose square roots come from `source`.
    func euler(_ testCase: Case, _ source: SquareRootSource, _ torch: TorchSquareRoot) throws -> EulerDiscreteScheduler {
        switch source {
        case .ieee: return try EulerDiscreteScheduler(configuration: configuration, schedule: testCase.schedule)
        case .torch: return try EulerDiscreteScheduler(configuration: configuration, schedule: testCase.schedule, squareRoot: { torch($0) })
        }
    }

    /// A TCD scheduler for `testCase` (with its eta) whose square roots come from `source`.
    func tcd(_ testCase: Case, _ source: SquareRootSource, _ torch: TorchSquareRoot) throws -> TCDScheduler {
        let eta = testCase.eta ?? TCDScheduler.defaultEta
        switch source {
        case .ieee: return try TCDScheduler(configuration: configuration, schedule: testCase.schedule, eta: eta)
        case .torch: return try TCDScheduler(configuration: configuration, schedule: testCase.schedule, eta: eta, squareRoot: { torch($0) })
        }
    }

    func floats(_ key: String) throws -> [Float] { try reference.tensor(key).scalars }

    func integers(_ key: String) throws -> [Int] { try reference.integerTensor(key).values.map { Int($0) } }

    /// Integer (I64) or float timesteps as Float.
    func timesteps(_ testCase: Case) throws -> [Float] {
        let key = testCase.name + ".timesteps"
        if try reference.entry(key).dtype.isInteger {
            return try reference.integerTensor(key).values.map { Float($0) }
        }
        return try floats(key)
    }

    /// Slot `slot` of a per-slot stacked tensor `[slots, ...]`.
    func perSlot(_ key: String, _ slot: Int) throws -> Tensor {
        let stacked = try tensor(key)
        return stacked.slice(outer: slot, length: 1).reshaped(Array(stacked.shape.dropFirst()))
    }
}

/// Element-wise comparison: bit equality count and largest absolute / ULP difference.
struct Difference: CustomStringConvertible {
    var maximumAbsolute: Float = 0
    var maximumULP: Int = 0
    var mismatches = 0
    var count = 0

    init(_ actual: [Float], _ expected: [Float]) {
        precondition(actual.count == expected.count, "\(actual.count) values vs \(expected.count) expected")
        count = expected.count
        largestExpected = expected.reduce(0) { max($0, abs($1)) }
        for (a, e) in zip(actual, expected) where a.bitPattern != e.bitPattern {
            mismatches += 1
            maximumAbsolute = max(maximumAbsolute, abs(a - e))
            maximumULP = max(maximumULP, Difference.ulps(a, e))
        }
    }

    init(_ actual: Tensor, _ expected: Tensor) {
        precondition(actual.shape == expected.shape, "shape \(actual.shape) vs expected \(expected.shape)")
        self.init(actual.scalars, expected.scalars)
    }

    var isExact: Bool { mismatches == 0 }

    /// Largest |actual - expected| relative to max(1, largest |expected|).
    var maximumRelative: Float { maximumAbsolute / max(1, largestExpected) }
    private(set) var largestExpected: Float = 0

    /// Exact for torch square roots; within ``Tolerance/relativeTensor`` for IEEE ones.
    func isAcceptable(_ source: SquareRootSource) -> Bool {
        source == .torch ? isExact : maximumRelative <= Tolerance.relativeTensor
    }

    /// Exact for torch square roots; within ``Tolerance/coefficientULP`` for IEEE ones.
    func isAcceptableCoefficient(_ source: SquareRootSource) -> Bool {
        source == .torch ? isExact : maximumULP <= Tolerance.coefficientULP
    }

    static func ulps(_ a: Float, _ b: Float) -> Int {
        func ordered(_ x: Float) -> Int { let bits = Int(Int32(bitPattern: x.bitPattern)); return bits < 0 ? Int(Int32.min) - bits : bits }
        return abs(ordered(a) - ordered(b))
    }

    var description: String {
        "\(mismatches) of \(count) differ, max-abs \(maximumAbsolute) (relative \(maximumRelative)), max \(maximumULP) ulp"
    }
}
