/// Why region generation could not run; each case names what is wrong.
public enum RegionGenerationError: Error, Equatable, CustomStringConvertible {
    case invalidInput(name: String, reason: String)
    case noise(reason: String)

    public var description: String {
        switch self {
        case let .invalidInput(name, reason): return "\(name): \(reason)"
        case let .noise(reason): return "noise source: \(reason)"
        }
    }
}
