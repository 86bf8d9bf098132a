extension Palette {
    /// The background (docs/ALGORITHM.md §4 cases): an image and/or a prompt. With neither, the
    /// background is white with the prompt "simple white background image".
    public struct Background: Sendable, Equatable, Codable {
        /// A background image, resized to the canvas when it has another size.
        public var image: ImageReference?
        /// The background prompt.
        public var prompt: String?
        /// The background's negative prompt.
        public var negativePrompt: String?
        /// Whether an image without a prompt gets BLIP-2's caption as its prompt (`generate`
        /// captions it and records the caption in `prompt`; docs/CAPTIONING.md).
        public var caption: Bool?

        /// A background; all parts optional.
        public init(image: ImageReference? = nil, prompt: String? = nil, negativePrompt: String? = nil, caption: Bool? = nil) {
            self.image = image
            self.prompt = prompt
            self.negativePrompt = negativePrompt
            self.caption = caption
        }

        /// Whether the background asks for a caption now: an image, no (non-blank) prompt, and `caption` true.
        public var needsCaption: Bool {
            caption == true && image != nil && (prompt ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case image, prompt, caption
            case negativePrompt = "negative_prompt"
        }

        public init(from decoder: any Decoder) throws {
            try PaletteKeys.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.stringValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            image = try container.decodeIfPresent(ImageReference.self, forKey: .image)
            prompt = try container.decodeIfPresent(String.self, forKey: .prompt)
            negativePrompt = try container.decodeIfPresent(String.self, forKey: .negativePrompt)
            caption = try container.decodeIfPresent(Bool.self, forKey: .caption)
        }
    }
}
