import TensorRuntime

/// Why a LoRA file could not be read or fused; every case names the LoRA file and the key
/// involved, and says what would fix it.
public enum LoRAError: Error, Equatable, CustomStringConvertible {
    /// The file is not a readable safetensors file.
    case safeTensors(SafeTensorsError)
    /// A LoRA folder without a weights file (``LoRAFile``); `ignored` are its `.safetensors`
    /// files that are not LoRA weights (scheduler, optimizer, checkpoint).
    case noWeightsInFolder(folder: String, ignored: [String])
    /// A LoRA folder with several candidate weights files and no `pytorch_lora_weights.safetensors`
    /// (or several of those).
    case severalWeightsInFolder(folder: String, candidates: [String])
    /// The file holds no LoRA tensors at all.
    case noLayers(file: String)
    /// A key of none of the supported layouts (kohya `lora_unet_`/`lora_te_`/`lora_te1_`/`lora_te2_`,
    /// diffusers/PEFT `unet.`/`text_encoder.`/`text_encoder_2.`).
    case unrecognizedKey(file: String, key: String)
    /// A key of a known family whose feature is not supported (DoRA, LoHa, LoKr, LoRA biases,
    /// SDXL's second text encoder in a model with one, ...).
    case unsupportedKey(file: String, key: String, reason: String)
    /// One half of a LoRA pair (down/up, A/B) without the other.
    case missingPartner(file: String, key: String, expected: String)
    /// A tensor whose dtype or shape cannot be a LoRA factor or alpha.
    case invalidTensor(file: String, key: String, shape: [Int], reason: String)
    /// Down and up factors of one layer with different ranks.
    case rankMismatch(file: String, downKey: String, downShape: [Int], upKey: String, upShape: [Int])
    /// The `lora_adapter_metadata` JSON is malformed or disagrees with the tensors.
    case invalidMetadata(file: String, reason: String)
    /// A PEFT adapter's `adapter_config.json` (`file`) is missing, malformed, asks for something
    /// that cannot be fused, or disagrees with the tensors.
    case invalidAdapterConfiguration(file: String, reason: String)
    /// A LoRA layer names a module the network does not have.
    case unmatchedModule(file: String, key: String, module: String, target: LoRATarget, weights: String)
    /// A LoRA layer name that fits several modules of the network.
    case ambiguousModule(file: String, key: String, candidates: [String])
    /// Two layers of one file that adapt the same module.
    case duplicateModule(file: String, key: String, otherKey: String, module: String)
    /// LoRA factors whose shapes do not fit the weight they adapt.
    case shapeMismatch(file: String, key: String, downShape: [Int], upShape: [Int], weightKey: String, weightShape: [Int])

    public var description: String {
        switch self {
        case let .safeTensors(error):
            return error.description
        case let .noWeightsInFolder(folder, ignored):
            let skipped = ignored.isEmpty ? "" : " (\(ignored.joined(separator: ", ")) are not LoRA weights)"
            return "LoRA folder \(folder) has no \(LoRAFile.diffusersWeightsName) and no other .safetensors file\(skipped): "
                + "pass the LoRA's .safetensors file, or a folder that holds it"
        case let .severalWeightsInFolder(folder, candidates):
            return "LoRA folder \(folder) holds several candidate weights files (\(candidates.joined(separator: ", "))) and no "
                + "single \(LoRAFile.diffusersWeightsName): pass the one you want as a file path"
        case let .noLayers(file):
            return "\(file) holds no LoRA tensors (expected lora_unet_/lora_te_/lora_te1_/lora_te2_ or unet./text_encoder./text_encoder_2./transformer./base_model.model. keys)"
        case let .unrecognizedKey(file, key):
            return "\(file): key '\(key)' is not a LoRA tensor of a supported layout (kohya 'lora_unet_…/lora_te_…/lora_te1_…/lora_te2_….lora_down.weight/.lora_up.weight/.alpha', "
                + "diffusers/PEFT 'unet.…/text_encoder.…/text_encoder_2.…/transformer.…/base_model.model.….lora_A.weight/.lora_B.weight', '.lora.down.weight/.lora.up.weight', "
                + "'processor.to_q_lora.down.weight', '.lora_linear_layer.down.weight')"
        case let .unsupportedKey(file, key, reason):
            return "\(file): key '\(key)' is not supported: \(reason)"
        case let .missingPartner(file, key, expected):
            return "\(file): key '\(key)' has no partner '\(expected)' (a LoRA layer needs both factors)"
        case let .invalidTensor(file, key, shape, reason):
            return "\(file): tensor '\(key)' with shape \(shape) \(reason)"
        case let .rankMismatch(file, downKey, downShape, upKey, upShape):
            return "\(file): '\(downKey)' has shape \(downShape) but '\(upKey)' has shape \(upShape): the down factor's first and the up factor's second dimension (the rank) must agree"
        case let .invalidMetadata(file, reason):
            return "\(file): __metadata__ 'lora_adapter_metadata' \(reason)"
        case let .invalidAdapterConfiguration(file, reason):
            return "\(file): \(reason)"
        case let .unmatchedModule(file, key, module, target, weights):
            return "\(file): key '\(key)' adapts module '\(module)', which the \(target) in \(weights) does not have (is this LoRA for another model family, e.g. SDXL?)"
        case let .ambiguousModule(file, key, candidates):
            return "\(file): key '\(key)' could name any of the modules \(candidates.joined(separator: ", "))"
        case let .duplicateModule(file, key, otherKey, module):
            return "\(file): keys '\(key)' and '\(otherKey)' both adapt module '\(module)'"
        case let .shapeMismatch(file, key, downShape, upShape, weightKey, weightShape):
            return "\(file): LoRA '\(key)' (down \(downShape), up \(upShape)) does not fit '\(weightKey)' with shape \(weightShape) "
                + "(expected down [r, \(weightShape.dropFirst().first ?? 0)\(weightShape.count == 4 ? ", \(weightShape[2]), \(weightShape[3])" : "")], up [\(weightShape.first ?? 0), r])"
        }
    }
}
