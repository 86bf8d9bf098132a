/// What a single-file checkpoint holds, read from its tensor names and shapes alone (no tensor
/// data): its architecture and the shapes that tell one configuration from another.
///
/// Detection rules, in order (the first that applies decides):
/// 1. LoRA tensors (`lora_down`, `lora_up`, `lora_A`, `lora_B`, `.lora.down`, LyCORIS `hada_`/`lokr_`)
///    -> "a LoRA file, not a checkpoint".
/// 2. `conditioner.embedders.*`: SDXL base when it has `conditioner.embedders.0.transformer.*`
///    (CLIP) and `conditioner.embedders.1.model.*` (OpenCLIP); any other conditioner (the SDXL
///    refiner's lone `conditioner.embedders.0.model.*`, ...) is not supported.
///    `model.diffusion_model.joint_blocks.*` -> SD3; `double_blocks.*` / `single_blocks.*` -> Flux:
///    not supported.
/// 3. No `model.diffusion_model.*` keys: a VAE alone (`encoder.*`/`decoder.*`), a diffusers-layout
///    weights file (`down_blocks.*`, `text_model.*`), or no Stable Diffusion UNet at all.
/// 4. A UNet whose `input_blocks.0.0.weight` takes other than 4 channels (9: inpainting,
///    8: InstructPix2Pix) or, outside SDXL, with a class embedding (`label_emb.*`: SD2 upscaler,
///    unCLIP).
/// 5. The text encoder: `cond_stage_model.transformer.*` -> SD1.x, `cond_stage_model.model.*`
///    -> SD2.x, neither -> missing text encoder; no `first_stage_model.*` -> missing VAE.
struct SingleFileLayout: Sendable, Equatable {
    static let unetPrefix = "model.diffusion_model."
    static let autoencoderPrefix = "first_stage_model."
    static let clipPrefix = "cond_stage_model.transformer."
    static let openCLIPPrefix = "cond_stage_model.model."
    static let sdxlCLIPPrefix = "conditioner.embedders.0.transformer."
    static let sdxlOpenCLIPPrefix = "conditioner.embedders.1.model."

    let architecture: StableDiffusionArchitecture
    /// The cross-attention width (`attn2.to_k.weight`'s columns), when the UNet has cross-attention.
    let crossAttentionDimension: Int?
    /// Whether the transformers' `proj_in` is linear ([C, C]) rather than a 1x1 convolution.
    let usesLinearProjection: Bool?
    /// The text encoder's width (its token embedding's columns).
    let textHiddenSize: Int?
    /// SDXL's second text encoder's width.
    let secondTextHiddenSize: Int?

    /// Detects the layout of the tensors `shapes` (every key of the file with its shape); `path`
    /// names the file in errors.
    init(shapes: [String: [Int]], path: String) throws {
        let keys = shapes.keys
        func unsupported(_ found: String) -> SingleFileError { .unsupportedArchitecture(path: path, found: found) }
        func any(_ predicate: (String) -> Bool) -> String? { keys.sorted().first(where: predicate) }

        let loraMarkers = ["lora_down", "lora_up", "lora_A.", "lora_B.", ".lora.down.", ".lora.up.", "hada_", "lokr_"]
        if let key = any({ key in loraMarkers.contains { key.contains($0) } }) {
            throw unsupported("a LoRA file, not a checkpoint (key '\(key)'): pass it with --lora alongside a model")
        }
        let isSDXL = any({ $0.hasPrefix("conditioner.embedders.") }) != nil
        if isSDXL {
            let hasCLIP = any({ $0.hasPrefix(Self.sdxlCLIPPrefix) }) != nil
            if !hasCLIP, any({ $0.hasPrefix("conditioner.embedders.0.model.") }) != nil {
                throw unsupported("an SDXL refiner checkpoint (one OpenCLIP text encoder, conditioner.embedders.0.model.*) is not supported, only SDXL base")
            }
            guard hasCLIP else {
                throw SingleFileError.missingComponent(path: path, component: "text encoder", prefix: Self.sdxlCLIPPrefix)
            }
            guard any({ $0.hasPrefix(Self.sdxlOpenCLIPPrefix) }) != nil else {
                throw SingleFileError.missingComponent(path: path, component: "second text encoder", prefix: Self.sdxlOpenCLIPPrefix)
            }
        }
        if let key = any({ $0.hasPrefix(Self.unetPrefix + "joint_blocks.") }) {
            throw unsupported("an SD3 checkpoint (found '\(key)'): open it with SD3SingleFileCheckpoint (--model loads it)")
        }
        if let key = any({ $0.contains("double_blocks.") || $0.contains("single_blocks.") }) {
            throw unsupported("Flux checkpoint (double_blocks.*/single_blocks.*) is not supported (found '\(key)')")
        }
        guard any({ $0.hasPrefix(Self.unetPrefix) }) != nil else {
            if let key = any({ $0.hasPrefix("encoder.") || $0.hasPrefix("decoder.") }) {
                throw unsupported("a VAE-only file (e.g. '\(key)'), not a full checkpoint")
            }
            if let key = any({ $0.hasPrefix("down_blocks.") || $0.hasPrefix("mid_block.") || $0.hasPrefix("text_model.") }) {
                throw unsupported("a diffusers-layout weights file (e.g. '\(key)'): load the diffusers folder it belongs to instead")
            }
            throw unsupported("not a Stable Diffusion checkpoint (no model.diffusion_model.* UNet keys\(keys.isEmpty ? ", no tensors at all" : ""))")
        }
        if let shape = shapes[Self.unetPrefix + "input_blocks.0.0.weight"], shape.count == 4, shape[1] != 4 {
            let kind = shape[1] == 9 ? "an inpainting UNet (9 input channels)" : shape[1] == 8 ? "an InstructPix2Pix-style UNet (8 input channels)" : "a UNet with \(shape[1]) input channels"
            throw unsupported("\(kind) is not supported (model.diffusion_model.input_blocks.0.0.weight has shape \(shape))")
        }
        if !isSDXL, let key = any({ $0.hasPrefix(Self.unetPrefix + "label_emb.") }) {
            throw unsupported("a class-conditioned UNet ('\(key)': SD2 upscaler or unCLIP) is not supported")
        }
        let hasCLIP = any({ $0.hasPrefix(Self.clipPrefix) }) != nil
        let hasOpenCLIP = any({ $0.hasPrefix(Self.openCLIPPrefix) }) != nil
        if !isSDXL {
            if hasCLIP && hasOpenCLIP {
                throw unsupported("two text encoders (cond_stage_model.transformer.* and cond_stage_model.model.*)")
            }
            guard hasCLIP || hasOpenCLIP else {
                throw SingleFileError.missingComponent(path: path, component: "text encoder", prefix: "cond_stage_model.transformer. or cond_stage_model.model.")
            }
        }
        guard any({ $0.hasPrefix(Self.autoencoderPrefix) }) != nil else {
            throw SingleFileError.missingComponent(path: path, component: "VAE", prefix: Self.autoencoderPrefix)
        }
        architecture = isSDXL ? .stableDiffusionXL : hasCLIP ? .stableDiffusion1 : .stableDiffusion2
        crossAttentionDimension = any({ $0.hasPrefix(Self.unetPrefix) && $0.hasSuffix(".attn2.to_k.weight") }).flatMap { shapes[$0]?.last }
        usesLinearProjection = any({ $0.hasPrefix(Self.unetPrefix) && $0.hasSuffix(".proj_in.weight") }).flatMap { shapes[$0] }.map { $0.count == 2 }
        let clipPrefix = isSDXL ? Self.sdxlCLIPPrefix : Self.clipPrefix
        let tokenEmbedding = isSDXL || hasCLIP
            ? [clipPrefix + "text_model.embeddings.token_embedding.weight", clipPrefix + "embeddings.token_embedding.weight"]
            : [Self.openCLIPPrefix + "token_embedding.weight"]
        textHiddenSize = tokenEmbedding.lazy.compactMap { shapes[$0]?.last }.first
        secondTextHiddenSize = isSDXL ? shapes[Self.sdxlOpenCLIPPrefix + "token_embedding.weight"]?.last : nil
    }

    /// The quick check against the built-in configuration, before any tensor is read: the
    /// cross-attention width, the kind of `proj_in` and the text encoders' widths.
    func checkBuiltIn(unet: UNetConfiguration, textEncoder: CLIPTextConfiguration, textEncoder2: CLIPTextConfiguration? = nil,
                      path: String) throws {
        var differences: [String] = []
        if let width = crossAttentionDimension, width != unet.crossAttentionDimension {
            differences.append("cross-attention width \(width) (attn2.to_k), expected \(unet.crossAttentionDimension)")
        }
        if let linear = usesLinearProjection, linear != unet.useLinearProjection {
            differences.append("\(linear ? "linear" : "convolution") proj_in, expected \(unet.useLinearProjection ? "linear" : "convolution")")
        }
        if let hidden = textHiddenSize, hidden != textEncoder.hiddenSize {
            differences.append("text encoder width \(hidden), expected \(textEncoder.hiddenSize)")
        }
        if let hidden = secondTextHiddenSize, let second = textEncoder2, hidden != second.hiddenSize {
            differences.append("second text encoder width \(hidden), expected \(second.hiddenSize)")
        }
        if !differences.isEmpty {
            throw SingleFileError.doesNotMatchBuiltInConfiguration(path: path, architecture: architecture, detail: differences.joined(separator: "; "))
        }
    }
}
