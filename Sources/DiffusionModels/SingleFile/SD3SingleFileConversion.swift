import TensorRuntime

/// Splits an SD3/SD3.5 single file into its networks under diffusers/transformers keys, from the
/// header alone: the transformer (``MMDiTKeys``), CLIP-L and CLIP-G (`text_encoders.clip_l.transformer.*`,
/// `text_encoders.clip_g.transformer.*`: transformers keys already, as diffusers'
/// `convert_ldm_clip_checkpoint` takes them) and the VAE (``LDMAutoencoderKeys``).
///
/// As in diffusers' `create_diffusers_clip_model_from_ldm`, CLIP-L's `text_projection.weight` is
/// the identity whatever the file holds (SD3 uses CLIP-L's pooled output unprojected); the file's
/// own `text_projection.weight` and the `position_ids` buffers are not used. T5
/// (`text_encoders.t5xxl.*`) is skipped: SemanticDraw's SD3 set-up conditions on the two CLIP
/// encoders with zero T5 tokens (docs/SD3.md). Any other key that maps to nothing is an error
/// naming it, as for the other single files.
struct SD3SingleFileConversion {
    let transformer: ConvertedWeights
    /// nil when the file has no such network.
    let textEncoder: ConvertedWeights?
    let textEncoder2: ConvertedWeights?
    let autoencoder: ConvertedWeights?

    init(file: SafeTensorsFile, layout: SD3SingleFileLayout, configurations: SD3SingleFileConfigurations) throws {
        let path = file.path
        let keys = MMDiTKeys(layerCount: layout.layerCount, dualAttentionLayers: layout.dualAttentionLayers,
                             hasQueryKeyNormalization: layout.hasQueryKeyNormalization)
        transformer = ConvertedWeights(file: file, component: "transformer",
                                       tensors: try keys.convert(shapes: layout.transformerShapes, prefix: layout.prefix, path: path))
        var clipL: [String: ConvertedTensor] = [:], clipG: [String: ConvertedTensor] = [:], vae: [String: ConvertedTensor] = [:]
        var unknown: [String] = []
        let autoencoderKeys = LDMAutoencoderKeys(blockCount: configurations.autoencoder?.blockOutChannels.count ?? 0)
        for key in file.keys {
            let shape = file.entries[key]?.shape ?? []
            if key.hasPrefix(SD3SingleFileLayout.t5Prefix) { continue }
            if key.hasPrefix(SD3SingleFileLayout.clipLPrefix) {
                let name = String(key.dropFirst(SD3SingleFileLayout.clipLPrefix.count))
                if name == "text_projection.weight" || name == "text_model.embeddings.position_ids" { continue }
                if name.hasPrefix("text_model.") { clipL[name] = ConvertedTensor(key, shape: shape) } else { unknown.append(key) }
            } else if key.hasPrefix(SD3SingleFileLayout.clipGPrefix) {
                let name = String(key.dropFirst(SD3SingleFileLayout.clipGPrefix.count))
                if name == "text_model.embeddings.position_ids" { continue }
                if name.hasPrefix("text_model.") || name == "text_projection.weight" {
                    clipG[name] = ConvertedTensor(key, shape: shape)
                } else {
                    unknown.append(key)
                }
            } else if key.hasPrefix(SingleFileLayout.autoencoderPrefix) {
                let name = String(key.dropFirst(SingleFileLayout.autoencoderPrefix.count))
                if let converted = autoencoderKeys.convert(name, sourceKey: key, shape: shape) {
                    vae.merge(converted) { first, _ in first }
                } else {
                    unknown.append(key)
                }
            } else if !layout.prefix.isEmpty, !key.hasPrefix(layout.prefix) {
                // The transformer's keys are converted above; what is left are root-level keys.
                if SingleFileConversion.ignoredKeys.contains(key) || SingleFileConversion.ignoredPrefixes.contains(where: key.hasPrefix) { continue }
                unknown.append(key)
            }
        }
        if !unknown.isEmpty { throw SingleFileError.unknownKeys(path: path, keys: unknown) }
        if layout.hasCLIPL, let configuration = configurations.textEncoder {
            let width = configuration.hiddenSize
            clipL["text_projection.weight"] = ConvertedTensor(
                "(identity: diffusers' SD3 CLIP-L projection)", shape: [width, width], transform: .identity)
        }
        textEncoder = layout.hasCLIPL ? ConvertedWeights(file: file, component: "text_encoder", tensors: clipL) : nil
        textEncoder2 = layout.hasCLIPG ? ConvertedWeights(file: file, component: "text_encoder_2", tensors: clipG) : nil
        autoencoder = layout.hasAutoencoder ? ConvertedWeights(file: file, component: "vae", tensors: vae) : nil
    }
}
