import Foundation
import TensorRuntime

/// A small deterministic random stream (SplitMix64) for test inputs.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [low, high).
    mutating func uniform(_ low: Float = -1, _ high: Float = 1) -> Float {
        low + (high - low) * Float(next() >> 40) / Float(1 << 24)
    }

    /// `count` values uniform in [low, high).
    mutating func values(_ count: Int, _ low: Float = -1, _ high: Float = 1) -> [Float] {
        (0..<count).map { _ in uniform(low, high) }
    }

    /// A tensor of `shape` with values uniform in [low, high).
    mutating func tensor(_ shape: [Int], _ low: Float = -1, _ high: Float = 1) -> Tensor {
        Tensor(shape: shape, values: values(shape.reduce(1, *), low, high))
    }
}

/// A fresh folder under the system temporary directory; call ``remove()`` (in a `defer`).
struct TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("semantic-draw-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The largest violation of |actual - expected| <= absolute + relative * |expected| over all
/// elements, as a ratio (<= 1 passes), with the worst index, for one summarised expectation.
struct Closeness: CustomStringConvertible {
    var worstRatio = 0.0
    var worstIndex = -1
    var worstActual = 0.0
    var worstExpected = 0.0
    var maximumAbsoluteError = 0.0
    var count = 0

    init(_ actual: [Float], _ expected: [Double], absolute: Double, relative: Double = 0) {
        precondition(actual.count == expected.count, "\(actual.count) values vs \(expected.count) expected")
        count = actual.count
        for index in actual.indices {
            let a = Double(actual[index]), e = expected[index]
            let error = abs(a - e)
            let ratio: Double
            if a.isNaN || e.isNaN {
                ratio = (a.isNaN && e.isNaN) ? 0 : .infinity
            } else if a == e {
                ratio = 0
            } else {
                ratio = error / (absolute + relative * abs(e))
            }
            maximumAbsoluteError = max(maximumAbsoluteError, error.isNaN ? .infinity : error)
            if ratio > worstRatio || (ratio.isNaN && !worstRatio.isNaN) {
                worstRatio = ratio.isNaN ? .infinity : ratio
                worstIndex = index
                worstActual = a
                worstExpected = e
            }
        }
    }

    var passes: Bool { worstRatio <= 1 }

    var description: String {
        "\(count) values, max-abs \(maximumAbsoluteError), worst tolerance ratio \(worstRatio) at \(worstIndex) "
            + "(actual \(worstActual), expected \(worstExpected))"
    }
}
