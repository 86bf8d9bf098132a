/// Why a tokenizer folder could not be loaded. Every message names the file, and where it
/// applies the key, line or value involved, and says what to do next.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The folder passed to ``CLIPTokenizer/init(folder:subfolder:)`` does not exist or is not a folder.
    case folderNotFound(path: String)
    /// The folder holds neither `vocab.json` nor a `<subfolder>/` with the tokenizer files.
    case notATokenizerFolder(path: String, subfolder: String)
    /// A required file (`vocab.json`, `merges.txt`) is missing from the tokenizer folder.
    case missingFile(path: String)
    /// A file exists but could not be read or is not valid UTF-8.
    case unreadableFile(path: String, reason: String)
    /// `vocab.json` is not a JSON object mapping token strings to non-negative integer ids.
    case malformedVocabulary(file: String, reason: String)
    /// A `merges.txt` line is not two tokens separated by one space (`line` counts from 1,
    /// including the `#version` header).
    case malformedMergesLine(file: String, line: Int, content: String)
    /// A `merges.txt` line names a token, or merges into a token, that `vocab.json` lacks.
    case mergeTokenNotInVocabulary(file: String, line: Int, token: String)
    /// `tokenizer_config.json` or `special_tokens_map.json` is not valid JSON of the expected shape.
    case malformedConfiguration(file: String, key: String, reason: String)
    /// A configuration option this implementation does not support (for example `lstrip: true`).
    case unsupportedConfiguration(file: String, key: String, value: String)
    /// A special token named in the configuration (or the CLIP default) is not in `vocab.json`.
    case specialTokenNotInVocabulary(file: String, key: String, token: String)

    public var description: String {
        switch self {
        case let .folderNotFound(path):
            return "\(path) is not a folder: pass a tokenizer folder (with vocab.json and merges.txt) or a pipeline folder that holds tokenizer/"
        case let .notATokenizerFolder(path, subfolder):
            return "\(path) has neither vocab.json nor a \(subfolder)/ folder: pass a tokenizer folder (with vocab.json and merges.txt) or a pipeline folder that holds \(subfolder)/"
        case let .missingFile(path):
            return "\(path) not found: a CLIP tokenizer folder needs vocab.json and merges.txt (tokenizer_config.json and special_tokens_map.json are optional)"
        case let .unreadableFile(path, reason):
            return "cannot read \(path): \(reason)"
        case let .malformedVocabulary(file, reason):
            return "\(file) is not a JSON object of token -> id (non-negative integer): \(reason)"
        case let .malformedMergesLine(file, line, content):
            return "\(file) line \(line): expected two tokens separated by one space, found \(quoted(content))"
        case let .mergeTokenNotInVocabulary(file, line, token):
            return "\(file) line \(line): token \(quoted(token)) is not in vocab.json (do merges.txt and vocab.json belong together?)"
        case let .malformedConfiguration(file, key, reason):
            return "\(file): '\(key)' \(reason)"
        case let .unsupportedConfiguration(file, key, value):
            return "\(file): '\(key)' = \(value) is not supported by this CLIP tokenizer"
        case let .specialTokenNotInVocabulary(file, key, token):
            return "\(file): \(key) \(quoted(token)) is not in vocab.json"
        }
    }

    /// A token or line as a quoted Swift string literal, so that spaces and control characters show.
    private func quoted(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(80)) + "..." : text
        return "\"" + shown.unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "\""
    }
}
