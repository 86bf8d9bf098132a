/// What went wrong reading or writing a safetensors file; every case names the file, and the
/// tensor where one is involved.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case truncated(path: String, reason: String)
    case malformedHeader(path: String, reason: String)
    case unknownDType(path: String, key: String, dtype: String)
    case invalidEntry(path: String, key: String, reason: String)
    case missingTensor(path: String, key: String)
    case unsupportedDType(path: String, key: String, dtype: String, expected: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read safetensors file \(path): \(reason)"
        case let .truncated(path, reason): return "safetensors file \(path) is truncated or corrupt: \(reason)"
        case let .malformedHeader(path, reason): return "safetensors file \(path) has a malformed header: \(reason)"
        case let .unknownDType(path, key, dtype): return "safetensors file \(path): tensor '\(key)' has unknown dtype '\(dtype)'"
        case let .invalidEntry(path, key, reason): return "safetensors file \(path): tensor '\(key)' is invalid: \(reason)"
        case let .missingTensor(path, key): return "safetensors file \(path) has no tensor '\(key)'"
        case let .unsupportedDType(path, key, dtype, expected):
            return "safetensors file \(path): tensor '\(key)' has dtype \(dtype), expected \(expected)"
        case let .writeFailed(path, reason): return "cannot write safetensors file \(path): \(reason)"
        }
    }
}
