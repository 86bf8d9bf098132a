import Foundation

/// One tensor to write: float32 data or integers (I64 or I32).
public enum SafeTensorsValue: Sendable {
    case float32(Tensor)
    case int64(IntegerTensor)
    case int32(IntegerTensor)
}

/// Writes safetensors files: header keys sorted, data back to back, the header padded with
/// spaces to a multiple of 8 bytes. The file is written to a temporary name beside the target
/// and renamed into place, so a failure never leaves a partial file under the final name.
public enum SafeTensorsWriter {
    /// Writes `tensors` (and optional string `metadata`) to `path`.
    public static func write(_ tensors: [String: SafeTensorsValue], metadata: [String: String] = [:], to path: String) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        var payloads: [(String, SafeTensorsValue)] = []
        for key in tensors.keys.sorted() {
            guard let value = tensors[key] else { continue }
            let (dtype, shape, byteCount): (String, [Int], Int)
            switch value {
            case .float32(let tensor): (dtype, shape, byteCount) = ("F32", tensor.shape, tensor.count * 4)
            case .int64(let tensor): (dtype, shape, byteCount) = ("I64", tensor.shape, tensor.values.count * 8)
            case .int32(let tensor):
                guard tensor.values.allSatisfy({ Int64(Int32.min)...Int64(Int32.max) ~= $0 }) else {
                    throw SafeTensorsError.writeFailed(path: path, reason: "tensor '\(key)' has values outside Int32")
                }
                (dtype, shape, byteCount) = ("I32", tensor.shape, tensor.values.count * 4)
            }
            header[key] = ["dtype": dtype, "shape": shape, "data_offsets": [offset, offset + byteCount]] as [String: Any]
            offset += byteCount
            payloads.append((key, value))
        }
        var headerData: Data
        do {
            headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        } catch {
            throw SafeTensorsError.writeFailed(path: path, reason: "cannot encode header: \(error)")
        }
        while headerData.count % 8 != 0 { headerData.append(0x20) }

        var output = Data(capacity: 8 + headerData.count + offset)
        withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(headerData)
        for (_, value) in payloads {
            switch value {
            case .float32(let tensor):
                output.append(UnsafeBufferPointer(start: tensor.pointer, count: tensor.count))
            case .int64(let tensor):
                for element in tensor.values { withUnsafeBytes(of: element.littleEndian) { output.append(contentsOf: $0) } }
            case .int32(let tensor):
                for element in tensor.values { withUnsafeBytes(of: Int32(element).littleEndian) { output.append(contentsOf: $0) } }
            }
        }
        try writeAtomically(output, to: path)
    }

    /// Writes `data` to a temporary file beside `path`, then renames it over `path`.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        do {
            try data.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw SafeTensorsError.writeFailed(path: path, reason: error.localizedDescription)
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw SafeTensorsError.writeFailed(path: path, reason: reason)
        }
    }
}
