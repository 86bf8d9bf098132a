/// How a LoRA file spells the module a layer adapts.
public enum LoRAModuleSpelling: String, Sendable, Hashable {
    /// kohya-ss: the module path with every dot replaced by an underscore
    /// (`down_blocks_0_attentions_0_proj_in`, or the original Stable Diffusion name
    /// `input_blocks_1_1_proj_in`).
    case underscored
    /// diffusers/PEFT: the module path itself (`down_blocks.0.attentions.0.proj_in`).
    case dotted
}

/// Which convention decides a layer's alpha.
enum LoRAKeyFamily: Sendable, Hashable {
    /// kohya-ss: an optional `.alpha` tensor per layer; none means alpha = rank.
    case kohya
    /// diffusers/PEFT: alpha from the file's `lora_adapter_metadata`, else alpha = rank.
    case diffusers
    /// A PEFT adapter folder (`PeftModel.save_pretrained`: `adapter_model.safetensors` with
    /// `base_model.model.` keys): alpha and rank from the `adapter_config.json` beside the file.
    case peftAdapter
}

/// One tensor's part in a LoRA layer.
enum LoRATensorRole: Sendable, Hashable {
    case down, up, alpha
}

/// What a LoRA key says: the network, the module as spelled, and the tensor's role.
struct LoRAKey: Sendable, Hashable {
    let target: LoRATarget
    let family: LoRAKeyFamily
    let spelling: LoRAModuleSpelling
    /// The module as spelled in the file, with diffusers' legacy spellings normalised
    /// (`attn1.processor.to_out_lora` -> `attn1.to_out.0`, `self_attn.to_q_lora` -> `self_attn.q_proj`).
    let module: String
    let role: LoRATensorRole
    /// The key the down factor of this layer has (for messages about missing partners).
    let downKey: String
    /// The key the up factor of this layer has.
    let upKey: String
}

/// The key grammar of the LoRA layouts Stable Diffusion 1.x/2.x and SDXL LoRAs come in, as
/// diffusers 0.42 reads them (loaders/lora_conversion_utils.py, utils/state_dict_utils.py):
///
/// | layout | down / up / alpha |
/// |---|---|
/// | kohya-ss (`lora_unet_`, `lora_te_`; SDXL `lora_te1_`, `lora_te2_`) | `<name>.lora_down.weight`, `<name>.lora_up.weight`, `<name>.alpha` |
/// | PEFT (`unet.`, `text_encoder.`, SDXL `text_encoder_2.`, SD3 `transformer.`) | `<path>.lora_A.weight`, `<path>.lora_B.weight` |
/// | PEFT adapter folder (`base_model.model.`, read as SD3's transformer) | `<path>.lora_A.weight`, `<path>.lora_B.weight` |
/// | diffusers, older | `<path>.lora.down.weight`, `<path>.lora.up.weight` |
/// | diffusers text encoder, older | `<path>.lora_linear_layer.down.weight`, `.up.weight` |
/// | diffusers attention processors | `<attn>.processor.to_q_lora.down.weight` (`to_k`, `to_v`, `to_out`), `.up.weight` |
enum LoRAKeyLayout {
    private static let kohyaSuffixes: [(suffix: String, role: LoRATensorRole)] = [
        (".lora_down.weight", .down), (".lora_up.weight", .up), (".alpha", .alpha),
    ]
    private static let dottedSuffixes: [(down: String, up: String)] = [
        (".lora_A.weight", ".lora_B.weight"),
        (".lora_linear_layer.down.weight", ".lora_linear_layer.up.weight"),
        (".lora.down.weight", ".lora.up.weight"),
        ("_lora.down.weight", "_lora.up.weight"),
    ]
    /// Attention-processor leaf names (`to_q_lora`) and the modules they adapt.
    private static let processorModules: [LoRATarget: [String: String]] = [
        .unet: ["to_q": "to_q", "to_k": "to_k", "to_v": "to_v", "to_out": "to_out.0"],
        .textEncoder: ["to_q": "q_proj", "to_k": "k_proj", "to_v": "v_proj", "to_out": "out_proj"],
        .textEncoder2: ["to_q": "q_proj", "to_k": "k_proj", "to_v": "v_proj", "to_out": "out_proj"],
        .transformer: ["to_q": "to_q", "to_k": "to_k", "to_v": "to_v", "to_out": "to_out.0"],
    ]
    /// The prefix of a PEFT adapter's keys (`PeftModel` wraps the model as `base_model.model`).
    static let peftAdapterPrefix = "base_model.model."

    /// Parses `key` of the LoRA file `file`.
    static func parse(_ key: String, file: String) throws -> LoRAKey {
        if key.hasPrefix("lora_") { return try parseKohya(key, file: file) }
        if key.hasPrefix("unet.") || key.hasPrefix("text_encoder") || key.hasPrefix("transformer.") || key.hasPrefix(peftAdapterPrefix) {
            return try parseDotted(key, file: file)
        }
        throw LoRAError.unrecognizedKey(file: file, key: key)
    }

    private static func parseKohya(_ key: String, file: String) throws -> LoRAKey {
        let target: LoRATarget, prefix: String
        if key.hasPrefix("lora_unet_") {
            (target, prefix) = (.unet, "lora_unet_")
        } else if key.hasPrefix("lora_te_") {
            (target, prefix) = (.textEncoder, "lora_te_")
        } else if key.hasPrefix("lora_te1_") {
            (target, prefix) = (.textEncoder, "lora_te1_")
        } else if key.hasPrefix("lora_te2_") {
            (target, prefix) = (.textEncoder2, "lora_te2_")
        } else {
            throw LoRAError.unrecognizedKey(file: file, key: key)
        }
        guard let dot = key.firstIndex(of: ".") else { throw LoRAError.unrecognizedKey(file: file, key: key) }
        let name = String(key[..<dot])
        let module = String(name.dropFirst(prefix.count))
        guard !module.isEmpty else { throw LoRAError.unrecognizedKey(file: file, key: key) }
        let suffix = String(key[dot...])
        guard let role = kohyaSuffixes.first(where: { $0.suffix == suffix })?.role else {
            throw LoRAError.unsupportedKey(file: file, key: key, reason: kohyaUnsupportedReason(suffix))
        }
        return LoRAKey(target: target, family: .kohya, spelling: .underscored, module: module, role: role,
                       downKey: name + ".lora_down.weight", upKey: name + ".lora_up.weight")
    }

    private static func kohyaUnsupportedReason(_ suffix: String) -> String {
        if suffix.hasPrefix(".hada_") { return "LyCORIS LoHa layers are not supported, only LoRA (lora_down/lora_up/alpha)" }
        if suffix.hasPrefix(".lokr_") { return "LyCORIS LoKr layers are not supported, only LoRA (lora_down/lora_up/alpha)" }
        if suffix == ".dora_scale" { return "DoRA (weight-decomposed LoRA) is not supported" }
        if suffix == ".lora_mid.weight" { return "LoCon Tucker-decomposed convolutions (lora_mid) are not supported" }
        if suffix == ".diff" || suffix == ".diff_b" { return "full weight differences (diff/diff_b) are not supported" }
        return "'\(suffix)' is not a LoRA tensor (expected .lora_down.weight, .lora_up.weight or .alpha)"
    }

    private static func parseDotted(_ key: String, file: String) throws -> LoRAKey {
        let target: LoRATarget, prefix: String
        var family = LoRAKeyFamily.diffusers
        if key.hasPrefix("unet.") {
            (target, prefix) = (.unet, "unet.")
        } else if key.hasPrefix("transformer.") {
            (target, prefix) = (.transformer, "transformer.")
        } else if key.hasPrefix(peftAdapterPrefix) {
            (target, prefix, family) = (.transformer, peftAdapterPrefix, .peftAdapter)
        } else if key.hasPrefix("text_encoder.") {
            (target, prefix) = (.textEncoder, "text_encoder.")
        } else if key.hasPrefix("text_encoder_2.") {
            (target, prefix) = (.textEncoder2, "text_encoder_2.")
        } else {
            throw LoRAError.unrecognizedKey(file: file, key: key)
        }
        if key.contains("lora_magnitude_vector") {
            throw LoRAError.unsupportedKey(file: file, key: key, reason: "DoRA (weight-decomposed LoRA) is not supported")
        }
        if key.hasSuffix(".lora_A.bias") || key.hasSuffix(".lora_B.bias") {
            throw LoRAError.unsupportedKey(file: file, key: key, reason: "LoRA biases (PEFT lora_bias) are not supported")
        }
        // diffusers drops `.processor.` everywhere before mapping keys.
        let path = String(key.dropFirst(prefix.count)).replacingOccurrences(of: ".processor.", with: ".")
        for (downSuffix, upSuffix) in dottedSuffixes {
            let role: LoRATensorRole
            if path.hasSuffix(downSuffix) {
                role = .down
            } else if path.hasSuffix(upSuffix) {
                role = .up
            } else {
                continue
            }
            let stem = String(path.dropLast(role == .down ? downSuffix.count : upSuffix.count))
            let keyStem = String(key.dropLast(role == .down ? downSuffix.count : upSuffix.count))
            var module = stem
            if downSuffix.hasPrefix("_lora") {
                // `<attention>.to_q_lora` names `<attention>.to_q` (UNet) or `<attention>.q_proj` (CLIP).
                let parts = stem.split(separator: ".", omittingEmptySubsequences: false)
                guard let leaf = parts.last, let mapped = processorModules[target]?[String(leaf)] else {
                    throw LoRAError.unrecognizedKey(file: file, key: key)
                }
                module = (parts.dropLast().map(String.init) + [mapped]).joined(separator: ".")
            }
            guard !module.isEmpty, !module.hasPrefix("."), !module.hasSuffix(".") else {
                throw LoRAError.unrecognizedKey(file: file, key: key)
            }
            return LoRAKey(target: target, family: family, spelling: .dotted, module: module, role: role,
                           downKey: keyStem + downSuffix, upKey: keyStem + upSuffix)
        }
        throw LoRAError.unrecognizedKey(file: file, key: key)
    }
}
