/// The text encoder's keys of a single-file checkpoint as transformers' `CLIPTextModel` names
/// them (under `text_model.`).
///
/// SD1.x (`cond_stage_model.transformer.` stripped; port of diffusers 0.42
/// `convert_ldm_clip_checkpoint`): transformers keys already, with or without `text_model.`;
/// the `position_ids` buffer is dropped.
///
/// SD2.x OpenCLIP (`cond_stage_model.model.` stripped; port of `convert_open_clip_checkpoint`):
///
/// | OpenCLIP | transformers |
/// |---|---|
/// | `token_embedding.weight` | `embeddings.token_embedding.weight` |
/// | `positional_embedding` | `embeddings.position_embedding.weight` |
/// | `transformer.resblocks.N.ln_1` / `ln_2` | `encoder.layers.N.layer_norm1` / `layer_norm2` |
/// | `transformer.resblocks.N.attn.in_proj_weight` / `_bias` [3D, ...] | `encoder.layers.N.self_attn.{q,k,v}_proj.weight` / `.bias` (rows 0..<D, D..<2D, 2D..<3D) |
/// | `transformer.resblocks.N.attn.out_proj` | `encoder.layers.N.self_attn.out_proj` |
/// | `transformer.resblocks.N.mlp.c_fc` / `c_proj` | `encoder.layers.N.mlp.fc1` / `fc2` |
/// | `ln_final` | `final_layer_norm` |
///
/// SD2 conditions on the penultimate layer: the configuration has one layer fewer than the
/// file has resblocks, and resblock `num_hidden_layers` (the last) is dropped, as are
/// `text_projection`, `logit_scale` and `attn_mask` (not part of the text model).
///
/// SDXL: the first encoder (`conditioner.embedders.0.transformer.`) is the SD1.x CLIP layout;
/// the second (`conditioner.embedders.1.model.`) is OpenCLIP ViT-bigG with every resblock kept
/// (SDXL reads the penultimate hidden state at run time) and `text_projection` [width, D]
/// kept as `CLIPTextModelWithProjection`'s `text_projection.weight` [D, width], transposed (port
/// of `convert_open_clip_checkpoint(prefix="conditioner.embedders.1.model.")`).
struct LDMTextEncoderKeys {
    enum Layout {
        /// transformers keys already (SD1.x, SDXL's first encoder).
        case clip
        /// OpenCLIP keys (SD2.x, SDXL's second encoder).
        case openCLIP
    }

    let layout: Layout
    /// The key prefix in the checkpoint.
    let prefix: String
    /// The OpenCLIP resblock that is dropped (SD2: `num_hidden_layers`, the last); nil keeps all.
    let droppedLayer: Int?
    /// Whether OpenCLIP's `text_projection` becomes `text_projection.weight` (SDXL) or is dropped (SD2).
    let keepsProjection: Bool

    /// The text encoder of `architecture` (its first, for SDXL); `layerCount` is
    /// `num_hidden_layers` of its configuration.
    init(architecture: StableDiffusionArchitecture, layerCount: Int) {
        switch architecture {
        case .stableDiffusion1:
            self.init(layout: .clip, prefix: SingleFileLayout.clipPrefix, droppedLayer: nil, keepsProjection: false)
        case .stableDiffusion2:
            self.init(layout: .openCLIP, prefix: SingleFileLayout.openCLIPPrefix, droppedLayer: layerCount, keepsProjection: false)
        case .stableDiffusionXL:
            self.init(layout: .clip, prefix: SingleFileLayout.sdxlCLIPPrefix, droppedLayer: nil, keepsProjection: false)
        }
    }

    init(layout: Layout, prefix: String, droppedLayer: Int?, keepsProjection: Bool) {
        self.layout = layout
        self.prefix = prefix
        self.droppedLayer = droppedLayer
        self.keepsProjection = keepsProjection
    }

    /// SDXL's second text encoder.
    static let sdxlSecond = LDMTextEncoderKeys(layout: .openCLIP, prefix: SingleFileLayout.sdxlOpenCLIPPrefix,
                                               droppedLayer: nil, keepsProjection: true)

    /// The transformers tensors for `key` (prefix stripped) of shape `shape`: none for a dropped
    /// key, nil for a key that is not part of the text encoder.
    func convert(_ key: String, sourceKey: String, shape: [Int], path: String) throws -> [String: ConvertedTensor]? {
        switch layout {
        case .clip:
            let name = key.hasPrefix("text_model.") ? key : "text_model." + key
            if name == "text_model.embeddings.position_ids" { return [:] }
            return [name: ConvertedTensor(sourceKey, shape: shape)]
        case .openCLIP:
            return try convertOpenCLIP(key, sourceKey: sourceKey, shape: shape, path: path)
        }
    }

    private static let renamed = [
        "token_embedding.weight": "embeddings.token_embedding.weight",
        "positional_embedding": "embeddings.position_embedding.weight",
        "ln_final.weight": "final_layer_norm.weight", "ln_final.bias": "final_layer_norm.bias",
    ]
    private static let dropped: Set<String> = ["text_projection", "logit_scale", "attn_mask"]
    private static let layerParts = [
        "ln_1": "layer_norm1", "ln_2": "layer_norm2", "attn.out_proj": "self_attn.out_proj",
        "mlp.c_fc": "mlp.fc1", "mlp.c_proj": "mlp.fc2",
    ]

    private func convertOpenCLIP(_ key: String, sourceKey: String, shape: [Int], path: String) throws -> [String: ConvertedTensor]? {
        if key == "text_projection", keepsProjection {
            guard shape.count == 2 else {
                throw SingleFileError.invalidTensor(path: path, key: sourceKey, shape: shape, reason: "is not a [width, projection] matrix")
            }
            return ["text_projection.weight": ConvertedTensor(sourceKey, shape: [shape[1], shape[0]], transform: .transpose)]
        }
        if Self.dropped.contains(key) { return [:] }
        if let name = Self.renamed[key] { return ["text_model." + name: ConvertedTensor(sourceKey, shape: shape)] }
        let blockPrefix = "transformer.resblocks."
        guard key.hasPrefix(blockPrefix) else { return nil }
        let rest = key.dropFirst(blockPrefix.count)
        guard let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]) else { return nil }
        if index == droppedLayer { return [:] }
        let part = String(rest[rest.index(after: dot)...])
        let layer = "text_model.encoder.layers.\(index)."
        if part == "attn.in_proj_weight" || part == "attn.in_proj_bias" {
            guard let rows = shape.first, rows % 3 == 0, shape.count == (part.hasSuffix("weight") ? 2 : 1) else {
                throw SingleFileError.invalidTensor(path: path, key: sourceKey, shape: shape,
                                                    reason: "is not three stacked q/k/v blocks ([3D, D] weight or [3D] bias)")
            }
            let width = rows / 3
            let suffix = part.hasSuffix("weight") ? "weight" : "bias"
            var result: [String: ConvertedTensor] = [:]
            for (offset, projection) in ["q_proj", "k_proj", "v_proj"].enumerated() {
                result[layer + "self_attn.\(projection).\(suffix)"] = ConvertedTensor(
                    sourceKey, shape: [width] + shape.dropFirst(), transform: .rows(offset * width..<(offset + 1) * width))
            }
            return result
        }
        for (openCLIP, transformers) in Self.layerParts where part.hasPrefix(openCLIP + ".") {
            return [layer + transformers + part.dropFirst(openCLIP.count): ConvertedTensor(sourceKey, shape: shape)]
        }
        return nil
    }
}
