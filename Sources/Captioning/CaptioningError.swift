import Tokenizer

/// Captioning failures that are not model-loading errors (those are `ModelLoadingError`s naming
/// the file and field).
public enum CaptioningError: Error, Equatable, CustomStringConvertible {
    /// The folder's tokenizer could not be loaded.
    case tokenizer(TokenizerError)

    public var description: String {
        switch self {
        case .tokenizer(let error): return "captioner tokenizer: \(error.description)"
        }
    }
}
