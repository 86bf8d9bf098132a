import Foundation

/// What an SD3/SD3.5 single file holds, read from tensor names and shapes alone: where its
/// transformer keys are, which other networks it carries, the transformer's shape as diffusers
/// 0.42.1 infers it, and which published model it is.
///
/// Inferred as diffusers does (`convert_sd3_transformer_checkpoint_to_diffusers`,
/// `get_attn2_layers`, `get_caption_projection_dim`): `num_layers` = the highest `joint_blocks`
/// index + 1; `dual_attention_layers` = the blocks with `attn2.` keys; qk norm when any key has
/// `ln_q`; `caption_projection_dim` = `context_embedder.weight`'s rows. Also read from shapes:
/// `joint_attention_dim` (its columns), `pooled_projection_dim` (`y_embedder.mlp.0.weight`'s
/// columns), `patch_size` and `in_channels` (`x_embedder.proj.weight`), `out_channels`
/// (`final_layer.linear.weight`'s rows / patch²) and `pos_embed_max_size` (the square root of
/// `pos_embed`'s token count). The published model follows `infer_diffusers_model_type`:
/// block 0's context `adaLN_modulation.1.bias` of 9216 values with a `pos_embed` of 36864
/// tokens is SD3 Medium, of 147456 tokens SD3.5 Medium; a `joint_blocks.37` block is SD3.5 Large.
struct SD3SingleFileLayout: Sendable, Equatable {
    static let transformerPrefix = "model.diffusion_model."
    static let clipLPrefix = "text_encoders.clip_l.transformer."
    static let clipGPrefix = "text_encoders.clip_g.transformer."
    static let t5Prefix = "text_encoders.t5xxl."

    /// `model.diffusion_model.`, or "" for a file of bare MMDiT keys (`joint_blocks.*`, ...).
    let prefix: String
    /// The transformer's keys (prefix stripped) with their shapes.
    let transformerShapes: [String: [Int]]
    let layerCount: Int
    let dualAttentionLayers: Set<Int>
    let hasQueryKeyNormalization: Bool
    let captionProjectionDimension: Int?
    let jointAttentionDimension: Int?
    let pooledProjectionDimension: Int?
    let patchSize: Int?
    let inChannels: Int?
    let outChannels: Int?
    let positionEmbeddingMaximumSize: Int?
    /// The published model diffusers would take the file for; nil for any other shape.
    let model: SD3PublishedModel?
    /// Which networks besides the transformer the file carries.
    let hasCLIPL: Bool, hasCLIPG: Bool, hasT5: Bool, hasAutoencoder: Bool
    /// CLIP-L's and CLIP-G's widths (their token embeddings' columns), when present.
    let clipLHiddenSize: Int?, clipGHiddenSize: Int?

    /// Whether `keys` hold an MMDiT transformer (`joint_blocks.*`, with or without `model.diffusion_model.`).
    static func holdsSD3(keys: some Sequence<String>) -> Bool {
        keys.contains { $0.hasPrefix(transformerPrefix + "joint_blocks.") || $0.hasPrefix("joint_blocks.") }
    }

    init(shapes: [String: [Int]], path: String) throws {
        let keys = shapes.keys.sorted()
        let prefixed = keys.first { $0.hasPrefix(Self.transformerPrefix + "joint_blocks.") }
        let bare = keys.first { $0.hasPrefix("joint_blocks.") }
        if let prefixed, let bare {
            throw SingleFileError.ambiguousLayout(path: path, detail: "it has MMDiT blocks both under model.diffusion_model. ('\(prefixed)') and without a prefix ('\(bare)')")
        }
        guard prefixed != nil || bare != nil else {
            throw SingleFileError.unsupportedArchitecture(path: path, found: "not an SD3 checkpoint (no model.diffusion_model.joint_blocks.* keys)")
        }
        if let key = keys.first(where: { $0.hasPrefix("conditioner.embedders.") || $0.hasPrefix("cond_stage_model.") }) {
            throw SingleFileError.ambiguousLayout(path: path, detail: "it has SD3 MMDiT blocks and a Stable Diffusion 1.x/2.x/XL text encoder ('\(key)')")
        }
        if let key = keys.first(where: { $0.hasPrefix(Self.transformerPrefix + "input_blocks.") || $0.hasPrefix(Self.transformerPrefix + "double_blocks.") }) {
            throw SingleFileError.ambiguousLayout(path: path, detail: "it has SD3 MMDiT blocks and another denoiser's blocks ('\(key)')")
        }
        prefix = prefixed != nil ? Self.transformerPrefix : ""
        let others = [Self.clipLPrefix, Self.clipGPrefix, Self.t5Prefix, SingleFileLayout.autoencoderPrefix]
        var transformer: [String: [Int]] = [:]
        for (key, shape) in shapes where key.hasPrefix(prefix) && !others.contains(where: key.hasPrefix) {
            if prefix.isEmpty, SingleFileConversion.ignoredKeys.contains(key) { continue }
            transformer[String(key.dropFirst(prefix.count))] = shape
        }
        transformerShapes = transformer

        func blockIndex(_ key: String) -> Int? {
            let parts = key.split(separator: ".", maxSplits: 2)
            guard parts.count >= 2, parts[0] == "joint_blocks" else { return nil }
            return Int(parts[1])
        }
        var layers: [Int] = []
        for key in transformer.keys where key.hasPrefix("joint_blocks.") {
            guard let index = blockIndex(key), index >= 0 else {
                throw SingleFileError.invalidTensor(path: path, key: prefix + key, shape: transformer[key] ?? [],
                                                    reason: "has no block number after joint_blocks.")
            }
            layers.append(index)
        }
        layerCount = (layers.max() ?? -1) + 1
        dualAttentionLayers = Set(transformer.keys.filter { $0.contains("attn2.") }.compactMap(blockIndex))
        hasQueryKeyNormalization = transformer.keys.contains { $0.contains("ln_q") }
        let context = transformer["context_embedder.weight"]
        captionProjectionDimension = context?.first
        jointAttentionDimension = context.flatMap { $0.count == 2 ? $0[1] : nil }
        pooledProjectionDimension = transformer["y_embedder.mlp.0.weight"].flatMap { $0.count == 2 ? $0[1] : nil }
        let patch = transformer["x_embedder.proj.weight"]
        patchSize = patch.flatMap { $0.count == 4 ? $0[2] : nil }
        inChannels = patch.flatMap { $0.count == 4 ? $0[1] : nil }
        if let rows = transformer["final_layer.linear.weight"]?.first, let patchSize, patchSize > 0 {
            outChannels = rows / (patchSize * patchSize)
        } else {
            outChannels = nil
        }
        if let tokens = transformer["pos_embed"].flatMap({ $0.count == 3 ? $0[1] : nil }) {
            let side = Int(Double(tokens).squareRoot().rounded())
            guard side * side == tokens else {
                throw SingleFileError.invalidTensor(path: path, key: prefix + "pos_embed", shape: transformer["pos_embed"] ?? [],
                                                    reason: "is not a square grid of positions (\(tokens) tokens)")
            }
            positionEmbeddingMaximumSize = side
        } else {
            positionEmbeddingMaximumSize = nil
        }
        let positions = transformer["pos_embed"].flatMap { $0.count == 3 ? $0[1] : nil }
        let firstContextModulation = transformer["joint_blocks.0.context_block.adaLN_modulation.1.bias"]?.last
        if firstContextModulation == 9216, positions == 36864 {
            model = .stableDiffusion3Medium
        } else if firstContextModulation == 9216, positions == 147456 {
            model = .stableDiffusion35Medium
        } else if transformer["joint_blocks.37.x_block.mlp.fc1.weight"] != nil {
            model = .stableDiffusion35Large
        } else {
            model = nil
        }
        hasCLIPL = keys.contains { $0.hasPrefix(Self.clipLPrefix) }
        hasCLIPG = keys.contains { $0.hasPrefix(Self.clipGPrefix) }
        hasT5 = keys.contains { $0.hasPrefix(Self.t5Prefix) }
        hasAutoencoder = keys.contains { $0.hasPrefix(SingleFileLayout.autoencoderPrefix) }
        clipLHiddenSize = shapes[Self.clipLPrefix + "text_model.embeddings.token_embedding.weight"]?.last
        clipGHiddenSize = shapes[Self.clipGPrefix + "text_model.embeddings.token_embedding.weight"]?.last
    }

    /// The differences between the inferred shape and `configuration` (a `config.json` field
    /// name and both values each), empty when they agree.
    func differences(from configuration: SD3TransformerConfiguration) -> [String] {
        var result: [String] = []
        func compare(_ field: String, _ inferred: Int?, _ configured: Int?, _ how: String) {
            if let inferred, inferred != configured {
                result.append("\(field) is \(configured.map(String.init) ?? "null") but the file has \(inferred) (\(how))")
            }
        }
        compare("num_layers", layerCount, configuration.layerCount, "joint_blocks 0...\(layerCount - 1)")
        compare("caption_projection_dim", captionProjectionDimension, configuration.captionProjectionDimension, "context_embedder.weight rows")
        compare("joint_attention_dim", jointAttentionDimension, configuration.jointAttentionDimension, "context_embedder.weight columns")
        compare("pooled_projection_dim", pooledProjectionDimension, configuration.pooledProjectionDimension, "y_embedder.mlp.0.weight columns")
        compare("patch_size", patchSize, configuration.patchSize, "x_embedder.proj.weight")
        compare("in_channels", inChannels, configuration.inChannels, "x_embedder.proj.weight")
        compare("out_channels", outChannels, configuration.outChannels, "final_layer.linear.weight rows / patch_size²")
        compare("pos_embed_max_size", positionEmbeddingMaximumSize, configuration.positionEmbeddingMaximumSize, "pos_embed tokens = side²")
        if dualAttentionLayers != configuration.dualAttentionLayers {
            result.append("dual_attention_layers is \(configuration.dualAttentionLayers.sorted()) but the file has attn2 in blocks \(dualAttentionLayers.sorted())")
        }
        if hasQueryKeyNormalization != (configuration.queryKeyNormalization != nil) {
            result.append("qk_norm is \(configuration.queryKeyNormalization.map { "\"\($0.rawValue)\"" } ?? "null") but the file \(hasQueryKeyNormalization ? "has" : "has no") ln_q/ln_k keys")
        }
        return result
    }
}

/// The published SD3 models whose configurations are built in, told apart as diffusers 0.42.1's
/// `infer_diffusers_model_type` does ("sd3", "sd35_medium", "sd35_large").
public enum SD3PublishedModel: String, Sendable, CaseIterable {
    /// `stabilityai/stable-diffusion-3-medium-diffusers`: 24 blocks x 24 heads x 64, position grid 192.
    case stableDiffusion3Medium = "sd3"
    /// `stabilityai/stable-diffusion-3.5-medium`: as SD3 Medium with dual attention in blocks
    /// 0...12, RMS qk norm and a position grid of 384.
    case stableDiffusion35Medium = "sd35_medium"
    /// `stabilityai/stable-diffusion-3.5-large`: 38 blocks x 38 heads x 64, RMS qk norm.
    case stableDiffusion35Large = "sd35_large"

    /// "Stable Diffusion 3 Medium", ...
    public var displayName: String {
        switch self {
        case .stableDiffusion3Medium: return "Stable Diffusion 3 Medium"
        case .stableDiffusion35Medium: return "Stable Diffusion 3.5 Medium"
        case .stableDiffusion35Large: return "Stable Diffusion 3.5 Large"
        }
    }
}
