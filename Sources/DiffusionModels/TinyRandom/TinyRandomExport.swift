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
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .notAFolder(path: folder) }
            let contents = (try? fileManager.contentsOfDirectory(atPath: folder)) ?? []
            if !contents.isEmpty && !overwrite { throw .folderNotEmpty(path: folder) }
        }
        func path(_ relative: String) -> String { (folder as NSString).appendingPathComponent(relative) }
        func makeFolder(_ path: String) throws(TinyRandomExportError) {
            do {
                try fileManager.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw .writeFailed(path: path, reason: error.localizedDescription)
            }
        }
        func write(_ text: String, to relative: String) throws(TinyRandomExportError) {
            let target = path(relative)
            do {
                try SafeTensorsWriter.writeAtomically(Data(text.utf8), to: target)
            } catch {
                throw .writeFailed(path: target, reason: "\(error)")
            }
        }

        for subfolder in ["scheduler", "tokenizer"] + TinyRandomComponent.allCases.map(\.folderName) {
            try makeFolder(path(subfolder))
        }
        try write(TinyRandomConfigurations.modelIndex, to: "model_index.json")
        try write(TinyRandomConfigurations.scheduler, to: "scheduler/scheduler_config.json")
        try write(TinyRandomVocabulary.vocabularyJSON(), to: "tokenizer/vocab.json")
        try write(TinyRandomConfigurations.merges, to: "tokenizer/merges.txt")
        try write(TinyRandomConfigurations.tokenizerConfiguration, to: "tokenizer/tokenizer_config.json")
        try write(TinyRandomConfigurations.specialTokensMap, to: "tokenizer/special_tokens_map.json")
        for component in TinyRandomComponent.allCases {
            try write(component.configurationJSON, to: "\(component.folderName)/config.json")
            let target = path("\(component.folderName)/\(component.weightsFileName)")
            do {
                try SafeTensorsWriter.write(component.weights().mapValues { .float32($0) },
                                            metadata: ["format": "pt", "tiny-random": warning], to: target)
            } catch {
                throw .writeFailed(path: target, reason: "\(error)")
            }
        }
    }
}
