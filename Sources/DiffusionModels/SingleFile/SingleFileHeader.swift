import Foundation
import TensorRuntime

/// The size a safetensors file should have according to its header (8 + header length + the
/// end of the last tensor), read with plain file I/O so that a truncated download is reported
/// as "expected N bytes, found M" rather than by the first tensor that runs past the end.
enum SingleFileHeader {
    /// The expected size of the file at `path`, or nil when the header cannot be read.
    static func expectedSize(path: String) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let prefix = try? handle.read(upToCount: 8), prefix.count == 8 else { return nil }
        let headerLength = prefix.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
        guard headerLength <= UInt64(100_000_000) else { return nil }
        let headerEnd = 8 + Int(headerLength)
        guard let header = try? handle.read(upToCount: Int(headerLength)), header.count == Int(headerLength) else { return headerEnd }
        guard let object = (try? JSONSerialization.jsonObject(with: header)) as? [String: Any] else { return headerEnd }
        var end = 0
        for (key, value) in object where key != "__metadata__" {
            if let offsets = (value as? [String: Any])?["data_offsets"] as? [Int], offsets.count == 2 {
                end = max(end, offsets[1])
            }
        }
        return headerEnd + end
    }

    /// Opens the single file at `path`: a file shorter than its header says is
    /// ``SingleFileError/truncated(path:expectedBytes:actualBytes:)`` (an interrupted download),
    /// other problems the safetensors error.
    static func open(path: String) throws -> SafeTensorsFile {
        do {
            return try SafeTensorsFile(path: path)
        } catch let error as SafeTensorsError {
            if case .truncated = error, let expected = expectedSize(path: path), let actual = actualSize(path: path), expected > actual {
                throw SingleFileError.truncated(path: path, expectedBytes: expected, actualBytes: actual)
            }
            throw ModelLoadingError.safeTensors(error)
        }
    }

    /// The file's actual size.
    static func actualSize(path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
    }
}
