import Foundation

/// Which files of a repo `HubClient.snapshot` downloads.
public enum HubFileSelection: Sendable, Equatable {
    /// A diffusers pipeline: `model_index.json`, every `.json` and `.txt` (configs, tokenizer
    /// files), and one weights file per component folder: `*.fp16.safetensors` first, then
    /// `*.safetensors`, then `.bin`/`.ckpt`/`.pt` only when the folder has no safetensors.
    /// Top-level single-file checkpoints are skipped when component folders exist.
    case diffusersPipeline
    /// Every file of the repo.
    case all
    /// Files matching any of these `fnmatch`-style patterns (`*` also matches `/`), as
    /// `huggingface_hub.snapshot_download(allow_patterns:)`.
    case patterns([String])

    /// The selected paths, in the order of `files`.
    public func select(from files: [String]) -> [String] {
        switch self {
        case .all:
            return files
        case .patterns(let patterns):
            return files.filter { file in patterns.contains { Self.matches(file, pattern: $0) } }
        case .diffusersPipeline:
            return Self.selectPipeline(files)
        }
    }

    private static let weightExtensions = [".safetensors", ".bin", ".ckpt", ".pt", ".pth", ".msgpack", ".onnx", ".pb", ".h5"]
    private static let metadataExtensions = [".json", ".txt", ".model"]

    private static func selectPipeline(_ files: [String]) -> [String] {
        var chosenWeights: Set<String> = []
        let weightFiles = files.filter { file in weightExtensions.contains { file.hasSuffix($0) } }
        let byFolder = Dictionary(grouping: weightFiles) { file -> String in
            file.split(separator: "/").dropLast().joined(separator: "/")
        }
        let hasComponents = byFolder.keys.contains { !$0.isEmpty }
        for (folder, candidates) in byFolder {
            if folder.isEmpty && hasComponents { continue }
            let ranked: [[String]] = [
                candidates.filter { $0.hasSuffix(".fp16.safetensors") },
                candidates.filter { $0.hasSuffix(".safetensors") && !$0.hasSuffix(".fp16.safetensors") },
                candidates.filter { $0.hasSuffix(".fp16.bin") },
                candidates.filter { $0.hasSuffix(".bin") && !$0.hasSuffix(".fp16.bin") },
                candidates.filter { $0.hasSuffix(".ckpt") || $0.hasSuffix(".pt") || $0.hasSuffix(".pth") },
            ]
            guard let best = ranked.first(where: { !$0.isEmpty }) else { continue }
            // Sharded weights come with an index; keep all shards of the chosen kind.
            chosenWeights.formUnion(best)
        }
        return files.filter { file in
            if chosenWeights.contains(file) { return true }
            if file.hasSuffix(".index.json") { return indexMatchesChosenKind(file, chosenWeights) }
            return metadataExtensions.contains { file.hasSuffix($0) }
        }
    }

    /// `unet/diffusion_pytorch_model.fp16.safetensors.index.json` goes with fp16 safetensors shards only.
    private static func indexMatchesChosenKind(_ index: String, _ chosen: Set<String>) -> Bool {
        let folder = index.split(separator: "/").dropLast().joined(separator: "/")
        let kind = String(index.dropLast(".index.json".count).split(separator: "/").last ?? "")
        return chosen.contains { weight in
            let weightFolder = weight.split(separator: "/").dropLast().joined(separator: "/")
            let name = String(weight.split(separator: "/").last ?? "")
            guard weightFolder == folder else { return false }
            let isFp16 = name.contains(".fp16.")
            let indexIsFp16 = kind.contains(".fp16.")
            let sameFormat = (name.hasSuffix(".safetensors") && kind.hasSuffix(".safetensors"))
                || (name.hasSuffix(".bin") && kind.hasSuffix(".bin"))
            return isFp16 == indexIsFp16 && sameFormat
        }
    }

    /// fnmatch: `*` any run of characters (including `/`), `?` one character, `[...]` a set.
    static func matches(_ text: String, pattern: String) -> Bool {
        let textCharacters = Array(text)
        let patternCharacters = Array(pattern)
        var textIndex = 0, patternIndex = 0
        var starPattern = -1, starText = 0
        while textIndex < textCharacters.count {
            if patternIndex < patternCharacters.count {
                let character = patternCharacters[patternIndex]
                if character == "*" {
                    starPattern = patternIndex
                    starText = textIndex
                    patternIndex += 1
                    continue
                }
                if character == "[", let close = patternCharacters[(patternIndex + 1)...].firstIndex(of: "]") {
                    var set = Array(patternCharacters[(patternIndex + 1)..<close])
                    let negated = set.first == "!"
                    if negated { set.removeFirst() }
                    if set.contains(textCharacters[textIndex]) != negated {
                        textIndex += 1
                        patternIndex = close + 1
                        continue
                    }
                } else if character == "?" || character == textCharacters[textIndex] {
                    textIndex += 1
                    patternIndex += 1
                    continue
                }
            }
            guard starPattern >= 0 else { return false }
            patternIndex = starPattern + 1
            starText += 1
            textIndex = starText
        }
        while patternIndex < patternCharacters.count && patternCharacters[patternIndex] == "*" { patternIndex += 1 }
        return patternIndex == patternCharacters.count
    }
}
