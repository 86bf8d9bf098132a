import Foundation
import TensorRuntime

/// Locates the reference fixtures made by `Tools/make_reference_fixtures.py`.
enum Fixtures {
    static let root: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }()

    static func folder(_ name: String) -> String { root + "/" + name }
    static func file(_ name: String, _ file: String) -> String { root + "/" + name + "/" + file }
}

/// Element-wise comparison of two tensors: shapes first, then errors.
struct Comparison: CustomStringConvertible {
    let maximumAbsoluteError: Float
    /// max |a - e| / max |e|
    let relativeError: Float

    init(_ actual: Tensor, _ expected: Tensor) {
        precondition(actual.shape == expected.shape, "shape \(actual.shape) vs expected \(expected.shape)")
        var maxError: Float = 0, maxExpected: Float = 0
        let actualValues = actual.scalars, expectedValues = expected.scalars
        for index in 0..<expected.count {
            maxError = max(maxError, abs(actualValues[index] - expectedValues[index]))
            maxExpected = max(maxExpected, abs(expectedValues[index]))
        }
        maximumAbsoluteError = maxError
        relativeError = maxError / max(maxExpected, .leastNormalMagnitude)
    }

    var description: String { "max-abs \(maximumAbsoluteError), relative \(relativeError)" }
}
