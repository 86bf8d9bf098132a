/// Why a tokenizer folder could not be loaded. Every message names the file, and where it
/// applies the key, line or value involved, and says what to do next.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The folder passed to ``CLIPTokenizer/init(folder:subfolder:)`` does not exist or is not a folder.
    case folderNotFound(path: String)
    /// The folder holds no tokenizer file (`vocab.json`, `tokenizer.json`, ...) and no `<subfolder>/`.
    case notATokenizerFolder(path: String, subfolder: String)
    /// A required file is missing from the tokenizer folder: `vocab.json` or `merges.txt` when
    /// there is no `tokenizer.json` to read instead.
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
    /// `tokenizer.json`, `tokenizer_config.json` or `special_tokens_map.json` is not valid JSON of
    /// the expected shape; `key` is the offending key path (`model.vocab`, `model.merges[3]`).
    case malformedConfiguration(file: String, key: String, reason: String)
    /// A configuration option this implementation does not support (for example `lstrip: true`,
    /// or a `tokenizer.json` model that is not CLIP's BPE).
    case unsupportedConfiguration(file: String, key: String, value: String)
    /// A special token named in the configuration (or the CLIP default) is not in the vocabulary
    /// (`vocab.json`, or `tokenizer.json`'s `model.vocab` and `added_tokens`).
    case specialTokenNotInVocabulary(file: String, key: String, token: String)

    public var description: String {
        switch self {
        case let .folderNotFound(path):
            return "\(path) is not a folder: pass a tokenizer folder (with vocab.json and merges.txt, or tokenizer.json) or a pipeline folder that holds tokenizer/"
        case let .notATokenizerFolder(path, subfolder):
            return "\(path) has neither vocab.json nor a \(subfolder)/ folder: pass a tokenizer folder (with vocab.json and merges.txt, or tokenizer.json) or a pipeline folder that holds \(subfolder)/"
        case let .missingFile(path):
            return "\(path) not found: a CLIP tokenizer folder needs vocab.json and merges.txt, or tokenizer.json (tokenizer_config.json and special_tokens_map.json are optional)"
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
            return "\(file): \(key) \(quoted(token)) is not in the vocabulary (vocab.json, or tokenizer.json's model.vocab and added_tokens)"
        }
    }

    /// A token or line as a quoted Swift string literal, so that spaces and control characters show.
    private func quoted(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(80)) + "..." : text
        return "\"" + shown.unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "\""
    }
}
