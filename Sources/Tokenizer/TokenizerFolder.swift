import Foundation

/// Where a tokenizer's files are: `path` itself when it holds any of the tokenizer files
/// (`vocab.json`, `merges.txt`, `tokenizer.json`, `tokenizer_config.json`, `special_tokens_map.json`), else `path/<subfolder>/`
/// (a diffusers pipeline folder holds `tokenizer/`, and SDXL also `tokenizer_2/`).
struct TokenizerFolder {
    static let vocabularyFileName = "vocab.json"
    static let mergesFileName = "merges.txt"
    static let configurationFileName = "tokenizer_config.json"
    static let specialTokensMapFileName = "special_tokens_map.json"
    /// tokenizers' single-file form, which transformers 5 saves instead of vocab.json and merges.txt.
    static let tokenizerJSONFileName = "tokenizer.json"

    /// The folder holding the tokenizer files.
    let path: String

    init(path: String, subfolder: String) throws(TokenizerError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .folderNotFound(path: path)
        }
        // Any of the tokenizer's own files marks a tokenizer folder (so that a missing vocab.json
        // is reported as such, not as a missing subfolder); tokenizer.json + tokenizer_config.json
        // is a complete one.
        let ownFiles = [Self.vocabularyFileName, Self.mergesFileName, Self.tokenizerJSONFileName,
                        Self.configurationFileName, Self.specialTokensMapFileName]
        if ownFiles.contains(where: { Self.isFile((path as NSString).appendingPathComponent($0)) }) {
            self.path = path
            return
        }
        let nested = (path as NSString).appendingPathComponent(subfolder)
        guard FileManager.default.fileExists(atPath: nested, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notATokenizerFolder(path: path, subfolder: subfolder)
        }
        self.path = nested
    }

    /// The path of `name` inside the folder.
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// The path of `name` inside the folder, or nil when there is no such file.
    func optionalFile(_ name: String) -> String? {
        let path = file(name)
        return Self.isFile(path) ? path : nil
    }

    /// The path of `name` inside the folder; a missing file is an error.
    func requiredFile(_ name: String) throws(TokenizerError) -> String {
        let path = file(name)
        guard Self.isFile(path) else { throw .missingFile(path: path) }
        return path
    }

    /// The bytes of a UTF-8 text file.
    static func contents(of path: String) throws(TokenizerError) -> Data {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw .unreadableFile(path: path, reason: error.localizedDescription)
        }
        guard String(data: data, encoding: .utf8) != nil else {
            throw .unreadableFile(path: path, reason: "the file is not valid UTF-8")
        }
        return data
    }

    private static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
