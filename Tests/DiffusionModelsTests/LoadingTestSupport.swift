import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// A fresh folder under the system temporary directory; call ``remove()`` (in a `defer`).
struct ScratchFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("semantic-draw-tests-\(UUID().uuidString)", isDirectory: true).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Copies fixture `name` (config.json and weights) to `<scratch>/<as>` and returns that path.
    func copyFixture(_ name: String, as folderName: String? = nil) throws -> String {
        let destination = file(folderName ?? name)
        try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.folder(name), toPath: destination)
        return destination
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Reads every tensor of a safetensors file (copied out of the mapping).
func readAllTensors(_ path: String) throws -> [String: SafeTensorsValue] {
    let file = try SafeTensorsFile(path: path)
    var tensors: [String: SafeTensorsValue] = [:]
    for (key, entry) in file.entries {
        switch entry.dtype {
        case .int64: tensors[key] = .int64(try file.integerTensor(key))
        case .int32: tensors[key] = .int32(try file.integerTensor(key))
        default: tensors[key] = .float32(try file.tensor(key).copy())
        }
    }
    return tensors
}

/// Rewrites the safetensors file at `path` after `change` edits its tensors.
func rewriteTensors(_ path: String, _ change: (inout [String: SafeTensorsValue]) throws -> Void) throws {
    var tensors = try readAllTensors(path)
    try change(&tensors)
    try SafeTensorsWriter.write(tensors, to: path)
}

/// Rewrites the JSON object in `path` after `change` edits it.
func rewriteJSON(_ path: String, _ change: (inout [String: Any]) -> Void) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    change(&object)
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
}

/// A float32 tensor of `shape` with small deterministic values.
func patternTensor(_ shape: [Int], seed: Int = 0) -> Tensor {
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, values: (0..<count).map { Float(($0 * 7 + seed * 13) % 17) / 17 - 0.5 })
}

/// Writes F32 tensors laid out in the given order (unlike SafeTensorsWriter, which sorts keys),
/// so a zero-element tensor can be placed last in the data section.
func writeFloat32SafeTensors(_ tensors: [(key: String, shape: [Int], values: [Float])], to path: String) throws {
    var header: [String: Any] = [:]
    var data = Data()
    for tensor in tensors {
        precondition(tensor.shape.reduce(1, *) == tensor.values.count)
        header[tensor.key] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [data.count, data.count + 4 * tensor.values.count]] as [String: Any]
        for value in tensor.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    }
    var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    while headerData.count % 8 != 0 { headerData.append(0x20) }
    var file = Data()
    withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { file.append(contentsOf: $0) }
    file.append(headerData)
    file.append(data)
    try file.write(to: URL(fileURLWithPath: path))
}
