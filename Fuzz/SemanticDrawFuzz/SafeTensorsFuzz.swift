import Foundation
import TensorRuntime

/// The safetensors reader (`SafeTensorsFile`): header length, header JSON, dtypes, shapes and
/// data offsets, then every tensor it accepted is read (no access may leave the file).
enum SafeTensorsFuzz {
    nonisolated(unsafe) static var path = ""

    static let target = FuzzTarget(name: "safetensors", prepare: {
        path = FuzzCheck.scratchFolder("safetensors") + "/input.safetensors"
    }, run: { data in
        guard FileManager.default.createFile(atPath: path, contents: data) else { return }
        guard let file = try? SafeTensorsFile(path: path) else { return }
        for (key, entry) in file.entries {
            FuzzCheck.require(entry.byteRange.upperBound <= data.count, "tensor '\(key)' ends past the file")
            if entry.dtype.isFloatingPoint {
                let tensor = try? file.tensor(key)
                FuzzCheck.require(tensor?.shape == entry.shape, "tensor '\(key)' read with shape \(String(describing: tensor?.shape)), header \(entry.shape)")
            } else if entry.dtype.isInteger {
                let tensor = try? file.integerTensor(key)
                FuzzCheck.require(tensor?.shape == entry.shape, "integer tensor '\(key)' read with another shape")
            }
        }
    })
}
