import TensorRuntime

/// Why a model could not be loaded or run; each case names the file, key or tensor involved and
/// what would fix it.
public enum ModelLoadingError: Error, Equatable, CustomStringConvertible {
    case missingConfiguration(folder: String)
    case invalidConfiguration(file: String, field: String, reason: String)
    case missingWeights(folder: String, tried: [String])
    case missingParameter(key: String, file: String)
    case shapeMismatch(key: String, expected: [Int], found: [Int], file: String)
    case unusedParameters(keys: [String], file: String)
    case unsupportedConfiguration(file: String, field: String, value: String)
    case invalidInput(name: String, reason: String)
    case safeTensors(SafeTensorsError)

    public var description: String {
        switch self {
        case let .missingConfiguration(folder):
            return "\(folder) has no config.json: pass a model component folder (with config.json) or a pipeline folder that holds it"
        case let .invalidConfiguration(file, field, reason):
            return "\(file): field '\(field)' \(reason)"
        case let .missingWeights(folder, tried):
            return "\(folder) has no weights file (looked for \(tried.joined(separator: ", ")))"
        case let .missingParameter(key, file):
            return "\(file) is missing parameter '\(key)' (is this the right model for its config.json?)"
        case let .shapeMismatch(key, expected, found, file):
            return "\(file): parameter '\(key)' has shape \(found), but the config implies \(expected)"
        case let .unusedParameters(keys, file):
            let shown = keys.prefix(8).joined(separator: ", ")
            return "\(file) has \(keys.count) parameter(s) the model does not use: \(shown)\(keys.count > 8 ? ", ..." : "") (is this the right model for its config.json?)"
        case let .unsupportedConfiguration(file, field, value):
            return "\(file): \(field) = \(value) is not supported"
        case let .invalidInput(name, reason):
            return "input '\(name)': \(reason)"
        case let .safeTensors(error):
            return error.description
        }
    }
}
