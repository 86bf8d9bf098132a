import Foundation
import TensorRuntime
import Testing

// Reference: torch 2.13.0 (CPU, AVX2 normal kernel), Tests/Fixtures/torch-randn/ made by
// Tools/make_randn_fixtures.py. Tolerances: the 32-bit stream, torch.rand and randn draws under
// 16 elements (PyTorch's scalar path) exactly; randn draws of 16 elements or more (the batched
// Box-Muller path) within 2e-6 absolute, and in fact bit for bit against the AVX2 kernel.

/// randn.json, as Tools/make_randn_fixtures.py writes it.
private struct RandomFixtures: Decodable, Sendable {
    struct RawOutputs: Decodable, Sendable, CustomTestStringConvertible {
        let seed: UInt64
        let start: Int
        let uint32: [UInt32]
        var testDescription: String { "seed \(seed), outputs from \(start)" }
    }

    struct Draw: Decodable, Sendable {
        let kind: String
        let shape: [Int]
        let values: [Double]?
        let sampledIndices: [Int]?
        let sampledValues: [Double]?
        let safetensorsKey: String?
    }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let seed: UInt64
        let draws: [Draw]
        var testDescription: String { name }
    }

    struct DefaultKernel: Decodable, Sendable {
        let seed: UInt64
        let shape: [Int]
        let safetensorsKey: String
        let maximumAbsoluteDifferenceFromAVX2: Double
    }

    let torch: String
    let cpuCapability: String
    let defaultKernel: DefaultKernel
    let rawOutputs: [RawOutputs]
    let cases: [Case]

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/torch-randn")
    static let jsonPath = folder.appendingPathComponent("randn.json").path
    static let safeTensorsPath = folder.appendingPathComponent("randn.safetensors").path

    static let loaded: Result<RandomFixtures, any Error> = Result {
        try JSONDecoder().decode(RandomFixtures.self, from: Data(contentsOf: URL(fileURLWithPath: jsonPath)))
    }

    /// The cases for parameterised tests (empty when loading fails; `fixturesLoad` reports it).
    static var cases: [Case] { (try? loaded.get())?.cases ?? [] }
    static var rawOutputs: [RawOutputs] { (try? loaded.get())?.rawOutputs ?? [] }
}

/// How one draw compares with its reference values.
private struct DrawComparison: CustomStringConvertible {
    var compared = 0
    var mismatches = 0
    var maximumAbsoluteError: Float = 0
    var worstIndex = -1

    mutating func add(index: Int, actual: Float, expected: Float) {
        compared += 1
        if actual != expected { mismatches += 1 }
        let error = abs(actual - expected)
        if !(error <= maximumAbsoluteError) {
            maximumAbsoluteError = error.isNaN ? .infinity : error
            worstIndex = index
        }
    }

    var description: String {
        "\(compared) compared, \(mismatches) not bit-equal, max-abs \(maximumAbsoluteError) at \(worstIndex)"
    }
}

@Suite("TorchGenerator against torch 2.13.0")
struct TorchGeneratorTests {
    @Test func fixturesLoad() throws {
        let fixtures = try RandomFixtures.loaded.get()
        #expect(fixtures.torch.hasPrefix("2.13.0"))
        #expect(!fixtures.cases.isEmpty)
        #expect(!fixtures.rawOutputs.isEmpty)
    }

    /// The raw 32-bit Mersenne Twister outputs, across the state refill at output 624.
    @Test(arguments: RandomFixtures.rawOutputs)
    fileprivate func rawStream(_ reference: RandomFixtures.RawOutputs) {
        var generator = TorchGenerator(seed: reference.seed)
        for _ in 0..<reference.start { _ = generator.nextUInt32() }
        let outputs = reference.uint32.map { _ in generator.nextUInt32() }
        #expect(outputs == reference.uint32, "seed \(reference.seed) from output \(reference.start)")

        var pairs = TorchGenerator(seed: reference.seed)
        for _ in 0..<reference.start { _ = pairs.nextUInt32() }
        for index in stride(from: 0, to: reference.uint32.count - 1, by: 2) {
            let expected = UInt64(reference.uint32[index]) << 32 | UInt64(reference.uint32[index + 1])
            #expect(pairs.nextUInt64() == expected, "random64 \(index / 2) of seed \(reference.seed)")
        }
    }

    /// Every draw of every case, drawn in order from one generator per case.
    @Test(arguments: RandomFixtures.cases)
    fileprivate func draws(_ reference: RandomFixtures.Case) throws {
        var safeTensors: SafeTensorsFile?
        var generator = TorchGenerator(seed: reference.seed)
        for (drawIndex, draw) in reference.draws.enumerated() {
            let tensor: Tensor
            switch draw.kind {
            case "randn": tensor = generator.normal(shape: draw.shape)
            case "rand": tensor = generator.uniform(shape: draw.shape)
            default:
                Issue.record("unknown draw kind \(draw.kind)")
                return
            }
            #expect(tensor.shape == draw.shape)
            var comparison = DrawComparison()
            let actualValues = tensor.scalars
            if let values = draw.values {
                try #require(values.count == tensor.count)
                for (index, value) in values.enumerated() {
                    comparison.add(index: index, actual: actualValues[index], expected: Float(value))
                }
            } else if let indices = draw.sampledIndices, let values = draw.sampledValues {
                try #require(indices.count == values.count)
                for (index, value) in zip(indices, values) {
                    try #require(index < tensor.count)
                    comparison.add(index: index, actual: actualValues[index], expected: Float(value))
                }
            } else if let key = draw.safetensorsKey {
                if safeTensors == nil { safeTensors = try SafeTensorsFile(path: RandomFixtures.safeTensorsPath) }
                let expected = try #require(safeTensors).tensor(key)
                try #require(expected.shape == draw.shape)
                let expectedValues = expected.scalars
                for index in 0..<expected.count {
                    comparison.add(index: index, actual: actualValues[index], expected: expectedValues[index])
                }
            } else {
                Issue.record("draw \(drawIndex) of \(reference.name) has no reference values")
            }
            let context = "\(reference.name), draw \(drawIndex) (\(draw.kind) \(draw.shape)): \(comparison)"
            if draw.kind == "rand" || tensor.count < TorchGenerator.batchedNormalThreshold {
                #expect(comparison.mismatches == 0, "exact: \(context)")
            } else {
                #expect(comparison.maximumAbsoluteError <= 2e-6, "within 2e-6: \(context)")
                #expect(comparison.mismatches == 0, "bit-exact with the AVX2 kernel: \(context)")
            }
        }
    }

    /// PyTorch's non-AVX kernel (libm logf/sinf/cosf) stays within the documented 2e-6.
    @Test func withinToleranceOfTheNonAVXKernel() throws {
        let fixtures = try RandomFixtures.loaded.get()
        let reference = fixtures.defaultKernel
        let expected = try SafeTensorsFile(path: RandomFixtures.safeTensorsPath).tensor(reference.safetensorsKey)
        var generator = TorchGenerator(seed: reference.seed)
        let tensor = generator.normal(shape: reference.shape)
        var comparison = DrawComparison()
        let actualValues = tensor.scalars, expectedValues = expected.scalars
        for index in 0..<expected.count {
            comparison.add(index: index, actual: actualValues[index], expected: expectedValues[index])
        }
        #expect(comparison.maximumAbsoluteError <= 2e-6, "\(comparison)")
        #expect(abs(Double(comparison.maximumAbsoluteError) - reference.maximumAbsoluteDifferenceFromAVX2) < 1e-9)
    }

    /// Only the low 32 bits of the seed reach the engine; the full seed is kept.
    @Test func seedsEqualModulo2To32() {
        var small = TorchGenerator(seed: 5)
        var large = TorchGenerator(seed: (1 << 32) + 5)
        #expect(large.seed == (1 << 32) + 5)
        #expect((0..<700).map { _ in small.nextUInt32() } == (0..<700).map { _ in large.nextUInt32() })
        #expect(small.normal(shape: [3, 7]).scalars == large.normal(shape: [3, 7]).scalars)
    }

    /// An empty tensor draws nothing; the scalar path's cached sample survives batched draws.
    @Test func emptyDrawsAndTheCachedSample() {
        var generator = TorchGenerator(seed: 42)
        var reference = TorchGenerator(seed: 42)
        #expect(generator.normal(shape: [0, 4]).count == 0)
        #expect(generator.nextUInt32() == reference.nextUInt32())

        var scalar = TorchGenerator(seed: 7)
        _ = scalar.normal(shape: [1])
        let cached = scalar.cachedNormalSample
        #expect(cached != nil)
        _ = scalar.normal(shape: [32])
        #expect(scalar.cachedNormalSample == cached)
        #expect(scalar.normal(shape: [1]).scalars == [Float(cached ?? .nan)])
        #expect(scalar.cachedNormalSample == nil)
    }
}
