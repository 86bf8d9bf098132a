import Foundation
import TensorRuntime

/// Why ``TinyRandomModel/export(to:overwrite:)`` failed.
public enum TinyRandomExportError: Error, Equatable, CustomStringConvertible {
    /// The folder exists and is not empty, and overwriting was not asked for.
    case folderNotEmpty(path: String)
    /// The path exists and is not a folder.
    case notAFolder(path: String)
    /// A folder or file could not be written.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .folderNotEmpty(path):
            return "\(path) is not empty: choose a new or empty folder, or pass --force to overwrite the tiny-random files in it"
        case let .notAFolder(path):
            return "\(path) exists and is not a folder: choose a folder path"
        case let .writeFailed(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}

extension TinyRandomModel {
    /// The files ``export(to:overwrite:)`` writes, relative to the folder, in writing order.
    public static let exportedFiles: [String] = [
        "model_index.json",
        "scheduler/scheduler_config.json",
        "tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer/tokenizer_config.json", "tokenizer/special_tokens_map.json",
    ] + TinyRandomComponent.allCases.flatMap { ["\($0.folderName)/config.json", "\($0.folderName)/\($0.weightsFileName)"] }

    /// Writes the model as a diffusers `StableDiffusionPipeline` folder: `model_index.json`,
    /// `unet/`, `text_encoder/`, `tokenizer/`, `vae/`, `scheduler/`, plus TAESD as `taesd/` (which
    /// diffusers loads on its own with `AutoencoderTiny.from_pretrained(folder + "/taesd")`).
    ///
    /// Every file is written to a temporary name and renamed into place. An existing non-empty
    /// folder is refused unless `overwrite` is true; then the tiny-random files are replaced and
    /// any other file is left as it is.
    public static func export(to folder: String, overwrite: Bool = false) throws(TinyRandomExportError) {
        var texts: [(String, String)] = [
            ("model_index.json", TinyRandomConfigurations.modelIndex),
            ("scheduler/scheduler_config.json", TinyRandomConfigurations.scheduler),
            ("tokenizer/vocab.json", TinyRandomVocabulary.vocabularyJSON()),
            ("tokenizer/merges.txt", TinyRandomConfigurations.merges),
            ("tokenizer/tokenizer_config.json", TinyRandomConfigurations.tokenizerConfiguration),
            ("tokenizer/special_tokens_map.json", TinyRandomConfigurations.specialTokensMap),
        ]
        var weights: [(String, [String: Tensor])] = []
        for component in TinyRandomComponent.allCases {
            texts.append(("\(component.folderName)/config.json", component.configurationJSON))
            weights.append(("\(component.folderName)/\(component.weightsFileName)", component.weights()))
        }
        try writeFolder(folder, overwrite: overwrite, texts: texts, weights: weights, warning: warning)
    }

    /// Writes `texts` (relative path, contents) and then `weights` (relative path, tensors as
    /// F32 safetensors) into `folder`, creating subfolders; every file goes to a temporary name
    /// and is renamed into place. A non-empty folder is refused unless `overwrite` is true.
    static func writeFolder(_ folder: String, overwrite: Bool, texts: [(String, String)], weights: [(String, [String: Tensor])],
                            warning: String) throws(TinyRandomExportError) {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .notAFolder(path: folder) }
            let contents = (try? fileManager.contentsOfDirectory(atPath: folder)) ?? []
            if !contents.isEmpty && !overwrite { throw .folderNotEmpty(path: folder) }
        }
        func path(_ relative: String) -> String { (folder as NSString).appendingPathComponent(relative) }
        let subfolders = Set((texts.map(\.0) + weights.map(\.0)).compactMap { relative -> String? in
            let parent = (relative as NSString).deletingLastPathComponent
            return parent.isEmpty ? nil : parent
        })
        for subfolder in subfolders.sorted() {
            do {
                try fileManager.createDirectory(atPath: path(subfolder), withIntermediateDirectories: true)
            } catch {
                throw .writeFailed(path: path(subfolder), reason: error.localizedDescription)
            }
        }
        for (relative, text) in texts {
            let target = path(relative)
            do {
                try SafeTensorsWriter.writeAtomically(Data(text.utf8), to: target)
            } catch {
                throw .writeFailed(path: target, reason: "\(error)")
            }
        }
        for (relative, tensors) in weights {
            let target = path(relative)
            do {
                try SafeTensorsWriter.write(tensors.mapValues { .float32($0) }, metadata: ["format": "pt", "tiny-random": warning], to: target)
            } catch {
                throw .writeFailed(path: target, reason: "\(error)")
            }
        }
    }
}
