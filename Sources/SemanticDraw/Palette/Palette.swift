import DiffusionModels
import Foundation
import TensorRuntime

/// A canvas to generate: size, seed, model, schedule, background and semantic brushes. This
/// is the versioned JSON palette format documented in `docs/PALETTE.md` (version 1,
/// snake_case keys); masks follow docs/ALGORITHM.md §2 (1 = inside the brush). A brush's colour is
/// for display only and never affects generation.
public struct Palette: Sendable, Equatable, Codable {
    /// The palette format version this build reads and writes.
    public static let currentVersion = 3
    /// The versions this build reads (version 1 has no accelerator fields: it loads as LCM with
    /// every LoRA listed in `loras`; version 2 has no `family`: it is detected from the model).
    public static let supportedVersions = 1...3
    /// "versions 1 to 3", for messages.
    static var readableVersions: String { "versions \(supportedVersions.lowerBound) to \(supportedVersions.upperBound)" }
    /// The PNG text-chunk keyword under which generated images carry their palette.
    public static let pngTextKeyword = "semantic-draw"

    /// Format version (always `currentVersion` once loaded: a version-1 file is read as the
    /// equivalent version-2 palette).
    public var version: Int
    /// Image width in pixels, a positive multiple of 8.
    public var width: Int
    /// Image height in pixels, a positive multiple of 8.
    public var height: Int
    /// Seed of the torch-compatible noise generator (default 0).
    public var seed: UInt64
    /// The model: a diffusers folder, a Hugging Face repo id, or "tiny-random".
    public var model: String
    /// LoRA files fused into the model (e.g. the LCM-LoRA accelerator), in order (default none).
    public var loras: [LoRA]
    /// The tiny autoencoder (TAESD) that encodes and decodes instead of the model's VAE: a
    /// folder, a repo id, or "tiny-random"; nil (the default) uses the model's own VAE.
    public var tinyAutoencoder: String?
    /// The model family (version 3; nil: detected from `model`, ``ModelFamily/detect(model:)``).
    public var family: ModelFamily?
    /// The few-step accelerator whose preset runs the palette (default lcm; version 2).
    public var accelerator: Accelerator = .lcm
    /// The accelerator LoRA: nil fuses the preset's for the schedule (none for tiny-random),
    /// "none" fuses none (the model has it merged, or version 1 listed it in `loras`), anything
    /// else is a file, adapter folder or repo id (version 2: `accelerator_lora`).
    public var acceleratorLoRA: String?
    /// Scheduler and slots (default: LCM with the pipeline's default slots).
    public var schedule: Schedule
    /// Classifier-free guidance scale (default 1.0; <= 1 skips the unconditional pass).
    public var guidance: Float
    /// Slots that use bootstrapping (default 1).
    public var bootstrapSteps: Int
    /// Bootstrap mix: slot i mixes white and background with r = clamp(mix - i, 0, 1) (default 1.0).
    public var bootstrapMix: Float
    /// Mask quantisation against the noise levels (default discrete, the one-shot default).
    public var quantization: MaskQuantization
    /// How the VAE encodes the background and white images (default: a posterior sample in the
    /// authors' draw order, so a seed reproduces their images; docs/REPRODUCTION.md).
    public var imageEncoding: ImageEncoding = .posteriorSample
    /// The arithmetic of the networks' weights (default fp32, so that a seed reproduces the
    /// authors' images; bf16 keeps weight matrices in bfloat16). Written only when bf16.
    public var precision: Precision = .fp32
    /// Background image and prompts (default: none, which means a white background).
    public var background: Background
    /// The semantic brushes, back to front (later brushes win where they overlap).
    public var brushes: [Brush]
    /// The folder that relative image files are resolved against (the palette file's folder);
    /// not part of the JSON. Nil means the current folder.
    public var baseFolder: String?

    /// A palette with the format's defaults for everything not given.
    public init(width: Int, height: Int, seed: UInt64 = 0, model: String, loras: [LoRA] = [],
                tinyAutoencoder: String? = nil, schedule: Schedule = Schedule(), guidance: Float = 1, bootstrapSteps: Int = 1,
                bootstrapMix: Float = 1, quantization: MaskQuantization = .discrete,
                background: Background = Background(), brushes: [Brush], baseFolder: String? = nil) {
        version = Self.currentVersion
        self.width = width
        self.height = height
        self.seed = seed
        self.model = model
        self.loras = loras
        self.tinyAutoencoder = tinyAutoencoder
        self.schedule = schedule
        self.guidance = guidance
        self.bootstrapSteps = bootstrapSteps
        self.bootstrapMix = bootstrapMix
        self.quantization = quantization
        self.background = background
        self.brushes = brushes
        self.baseFolder = baseFolder
    }

    /// The LoRAs as the model loader takes them, relative files resolved against `baseFolder`.
    public var loraReferences: [LoRAReference] { loras.map { $0.reference(baseFolder: baseFolder) } }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, width, height, seed, model, family, loras, accelerator, schedule, guidance
        case acceleratorLoRA = "accelerator_lora"
        case tinyAutoencoder = "tiny_vae"
        case bootstrapSteps = "bootstrap_steps"
        case bootstrapMix = "bootstrap_mix"
        case quantization, background, brushes
        case imageEncoding = "image_encoding"
        case precision
    }

    public init(from decoder: any Decoder) throws {
        try PaletteKeys.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.stringValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        width = try container.decode(Int.self, forKey: .width)
        height = try container.decode(Int.self, forKey: .height)
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        model = try container.decode(String.self, forKey: .model)
        loras = try container.decodeIfPresent([LoRA].self, forKey: .loras) ?? []
        tinyAutoencoder = try container.decodeIfPresent(String.self, forKey: .tinyAutoencoder)
        if let familyName = try container.decodeIfPresent(String.self, forKey: .family) {
            guard let family = ModelFamily(rawValue: familyName) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .family, in: container,
                    debugDescription: "\"\(familyName)\" is not one of \(ModelFamily.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
            }
            self.family = family
        }
        let acceleratorName = try container.decodeIfPresent(String.self, forKey: .accelerator) ?? Accelerator.lcm.rawValue
        guard let accelerator = Accelerator(rawValue: acceleratorName) else {
            throw DecodingError.dataCorruptedError(
                forKey: .accelerator, in: container,
                debugDescription: "\"\(acceleratorName)\" is not one of \(Accelerator.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        self.accelerator = accelerator
        // Version 1 has no accelerator fields: its `loras` are the whole list (LCM-LoRA included).
        acceleratorLoRA = try container.decodeIfPresent(String.self, forKey: .acceleratorLoRA) ?? (version == 1 ? "none" : nil)
        version = Self.currentVersion
        schedule = try container.decodeIfPresent(Schedule.self, forKey: .schedule) ?? Schedule()
        guidance = try container.decodeIfPresent(Float.self, forKey: .guidance) ?? 1
        bootstrapSteps = try container.decodeIfPresent(Int.self, forKey: .bootstrapSteps) ?? 1
        bootstrapMix = try container.decodeIfPresent(Float.self, forKey: .bootstrapMix) ?? 1
        let quantizationName = try container.decodeIfPresent(String.self, forKey: .quantization) ?? MaskQuantization.discrete.rawValue
        guard let quantization = MaskQuantization(rawValue: quantizationName) else {
            throw DecodingError.dataCorruptedError(
                forKey: .quantization, in: container,
                debugDescription: "\"\(quantizationName)\" is not one of \(MaskQuantization.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        self.quantization = quantization
        let encodingName = try container.decodeIfPresent(String.self, forKey: .imageEncoding) ?? "sample"
        guard let encoding = ImageEncoding.paletteNames[encodingName] else {
            throw DecodingError.dataCorruptedError(forKey: .imageEncoding, in: container,
                                                   debugDescription: "\"\(encodingName)\" is not one of \"sample\", \"mean\"")
        }
        imageEncoding = encoding
        let precisionName = try container.decodeIfPresent(String.self, forKey: .precision) ?? Precision.fp32.rawValue
        guard let precision = Precision(rawValue: precisionName) else {
            throw DecodingError.dataCorruptedError(
                forKey: .precision, in: container,
                debugDescription: "\"\(precisionName)\" is not one of \(Precision.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        self.precision = precision
        background = try container.decodeIfPresent(Background.self, forKey: .background) ?? Background()
        brushes = try container.decode([Brush].self, forKey: .brushes)
        baseFolder = nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(seed, forKey: .seed)
        try container.encode(model, forKey: .model)
        try container.encodeIfPresent(family?.rawValue, forKey: .family)
        try container.encode(loras, forKey: .loras)
        try container.encodeIfPresent(tinyAutoencoder, forKey: .tinyAutoencoder)
        try container.encode(accelerator.rawValue, forKey: .accelerator)
        try container.encodeIfPresent(acceleratorLoRA, forKey: .acceleratorLoRA)
        try container.encode(schedule, forKey: .schedule)
        try container.encode(guidance, forKey: .guidance)
        try container.encode(bootstrapSteps, forKey: .bootstrapSteps)
        try container.encode(bootstrapMix, forKey: .bootstrapMix)
        try container.encode(quantization.rawValue, forKey: .quantization)
        if imageEncoding != .posteriorSample { try container.encode("mean", forKey: .imageEncoding) }
        if precision != .fp32 { try container.encode(precision.rawValue, forKey: .precision) }
        try container.encode(background, forKey: .background)
        try container.encode(brushes, forKey: .brushes)
    }
}
