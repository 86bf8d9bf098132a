extension Palette {
    /// A semantic brush: a prompt painted where its mask is.
    public struct Brush: Sendable, Equatable, Codable {
        /// A label for people (any non-empty text).
        public var name: String
        /// Display colour "#RRGGBB"; never affects generation.
        public var color: String
        /// What to paint (non-empty).
        public var prompt: String
        /// What to avoid (used when guidance > 1); nil means none.
        public var negativePrompt: String?
        /// The mask image (docs/ALGORITHM.md §2 polarity: 1 = inside); nil: the brush covers the
        /// whole canvas, like an all-white mask. A palette whose only brush has no mask is plain
        /// text-to-image (``RegionGenerationMethod/textToImage``).
        public var mask: ImageReference?
        /// Mask strength in 0...1 (default 1).
        public var maskAlpha: Float
        /// Gaussian blur standard deviation in image pixels, >= 0 (default 1.0; 0 = no blur).
        public var maskBlur: Float
        /// Prompt strength in 0...1 (default 1): how far the embedding moves from the
        /// background prompt's towards this brush's.
        public var promptStrength: Float

        /// A brush with the format's defaults for alpha, blur and strength.
        public init(name: String, color: String, prompt: String, negativePrompt: String? = nil, mask: ImageReference?,
                    maskAlpha: Float = 1, maskBlur: Float = 1, promptStrength: Float = 1) {
            self.name = name
            self.color = color
            self.prompt = prompt
            self.negativePrompt = negativePrompt
            self.mask = mask
            self.maskAlpha = maskAlpha
            self.maskBlur = maskBlur
            self.promptStrength = promptStrength
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, color, prompt
            case negativePrompt = "negative_prompt"
            case mask
            case maskAlpha = "mask_alpha"
            case maskBlur = "mask_blur"
            case promptStrength = "prompt_strength"
        }

        public init(from decoder: any Decoder) throws {
            try PaletteKeys.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.stringValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            color = try container.decode(String.self, forKey: .color)
            prompt = try container.decode(String.self, forKey: .prompt)
            negativePrompt = try container.decodeIfPresent(String.self, forKey: .negativePrompt)
            mask = try container.decodeIfPresent(ImageReference.self, forKey: .mask)
            maskAlpha = try container.decodeIfPresent(Float.self, forKey: .maskAlpha) ?? 1
            maskBlur = try container.decodeIfPresent(Float.self, forKey: .maskBlur) ?? 1
            promptStrength = try container.decodeIfPresent(Float.self, forKey: .promptStrength) ?? 1
        }

        /// The display colour as red, green and blue bytes, or nil when `color` is not "#RRGGBB".
        public var colorComponents: (red: UInt8, green: UInt8, blue: UInt8)? {
            let hex = color.utf8
            guard hex.count == 7, hex.first == UInt8(ascii: "#"),
                  let value = UInt32(color.dropFirst(), radix: 16), color.dropFirst().allSatisfy(\.isHexDigit) else { return nil }
            return (UInt8(value >> 16), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
        }
    }
}
