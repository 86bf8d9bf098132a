import DiffusionModels
import Foundation

extension Palette {
    /// A LoRA file fused into the model at load time (e.g. LCM-LoRA, the default accelerator).
    public struct LoRA: Sendable, Equatable, Codable {
        /// A `.safetensors` file or folder (relative paths resolve against the palette's
        /// folder when loading), or a Hugging Face repo id.
        public var path: String
        /// Fusion scale (default 1).
        public var scale: Float

        /// A LoRA at `scale`.
        public init(path: String, scale: Float = 1) {
            self.path = path
            self.scale = scale
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case path, scale
        }

        public init(from decoder: any Decoder) throws {
            try PaletteKeys.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.stringValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            path = try container.decode(String.self, forKey: .path)
            scale = try container.decodeIfPresent(Float.self, forKey: .scale) ?? 1
        }

        /// The model loader's reference to this LoRA: a relative `path` that exists under
        /// `baseFolder` (the palette's folder) is resolved against it; anything else (an
        /// absolute path, a repo id) is passed on as written.
        public func reference(baseFolder: String?) -> LoRAReference {
            guard !path.hasPrefix("/"), let baseFolder else { return LoRAReference(path: path, scale: scale) }
            let candidate = URL(fileURLWithPath: baseFolder, isDirectory: true).appendingPathComponent(path).standardizedFileURL.path
            return LoRAReference(path: FileManager.default.fileExists(atPath: candidate) ? candidate : path, scale: scale)
        }
    }
}
