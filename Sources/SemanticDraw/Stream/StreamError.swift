/// Why a stream session could not start or produce a frame; each case names what is wrong.
public enum StreamError: Error, Equatable, CustomStringConvertible {
    /// A setting is out of range (the session cannot start).
    case invalidSettings(name: String, reason: String)
    /// A queued update was rejected; the updates queued with it were dropped, the palette is unchanged.
    case invalidUpdate(name: String, reason: String)
    /// Mask preprocessing rejected the brushes' masks, alphas or blurs (brush ids in region order).
    case invalidMasks(brushIDs: [String], reason: String)
    /// Text encoding of these prompts failed; the stream keeps their previous embeddings.
    case promptEncodingFailed(prompts: [String], reason: String)
    /// There is no background embedding yet (its first encoding failed or was cancelled).
    case notReady(reason: String)
    /// ``StreamSession/nextFrame()`` was called while another frame of the same session was running.
    case frameInProgress

    public var description: String {
        switch self {
        case let .invalidSettings(name, reason): return "stream setting \(name): \(reason)"
        case let .invalidUpdate(name, reason): return "stream update \(name): \(reason)"
        case let .invalidMasks(ids, reason): return "brush masks (brushes \(ids.joined(separator: ", "))): \(reason)"
        case let .promptEncodingFailed(prompts, reason):
            return "encoding prompts \(prompts.joined(separator: " | ")) failed: \(reason); the stream keeps the previous embeddings"
        case let .notReady(reason): return "stream not ready: \(reason)"
        case .frameInProgress: return "a frame of this session is already running; await it before asking for the next"
        }
    }
}
