import Foundation
import TensorRuntime

/// A LoRA file for Stable Diffusion 1.x/2.x, SDXL and SD3, parsed and checked: its layers per network, each
/// with its factors and alpha. Reads the key layouts diffusers 0.42.1 loads (see
/// ``LoRAKeyLayout``): kohya-ss (`lora_unet_…`, `lora_te_…` with `.lora_down.weight`,
/// `.lora_up.weight`, `.alpha`; LCM-LoRA uses it), PEFT (`unet.…`/`text_encoder.…` with
/// `.lora_A.weight`/`.lora_B.weight`, alpha from `lora_adapter_metadata`; SD3's `transformer.…`),
/// PEFT adapter folders (`adapter_model.safetensors` with `base_model.model.…` keys for SD3's
/// transformer, rank and alpha from the `adapter_config.json` beside it), and diffusers' older
/// `.lora.down.weight`, `processor.to_q_lora.down.weight` and `.lora_linear_layer.down.weight`.
///
/// Every key must belong to a layer, every layer needs both factors, and their shapes must be
/// those of a linear or convolution LoRA; which modules the layers name is checked when fusing
/// (``fused(into:scale:onto:)``), against the real network.
public struct LoRAWeights: Sendable {
    /// The file, for messages.
    public let path: String
    /// All layers, ordered by the key of their down factor.
    public let layers: [LoRALayer]
    let metadata: LoRAAdapterMetadata

    /// Reads and checks the LoRA safetensors file at `path` (F32, F16 or BF16 tensors), or the
    /// weights file of the folder at `path` (``LoRAFile/resolve(_:)``).
    public init(path: String) throws {
        let path = try LoRAFile.resolve(path)
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(path: path)
        } catch let error as SafeTensorsError {
            throw LoRAError.safeTensors(error)
        }
        self.path = path
        if file.keys.contains(where: { $0.hasPrefix(LoRAKeyLayout.peftAdapterPrefix) }) {
            metadata = try Self.adapterConfiguration(besides: path)
        } else if let json = file.metadata[LoRAAdapterMetadata.metadataKey] {
            metadata = try LoRAAdapterMetadata(json: json, file: path)
        } else {
            metadata = LoRAAdapterMetadata()
        }

        struct Parts {
            var key: LoRAKey
            var tensorKeys: [LoRATensorRole: String] = [:]
        }
        struct Identity: Hashable {
            let target: LoRATarget, spelling: LoRAModuleSpelling, module: String
        }
        var groups: [Identity: Parts] = [:]
        for key in file.keys {
            let parsed = try LoRAKeyLayout.parse(key, file: path)
            let identity = Identity(target: parsed.target, spelling: parsed.spelling, module: parsed.module)
            var parts = groups[identity] ?? Parts(key: parsed)
            if let other = parts.tensorKeys[parsed.role] {
                throw LoRAError.duplicateModule(file: path, key: key, otherKey: other, module: parsed.module)
            }
            parts.tensorKeys[parsed.role] = key
            groups[identity] = parts
        }
        guard !groups.isEmpty else { throw LoRAError.noLayers(file: path) }

        var layers: [LoRALayer] = []
        for parts in groups.values.sorted(by: { $0.key.downKey < $1.key.downKey }) {
            let key = parts.key
            guard let downKey = parts.tensorKeys[.down] else {
                throw LoRAError.missingPartner(file: path, key: parts.tensorKeys[.up] ?? parts.tensorKeys[.alpha] ?? key.upKey, expected: key.downKey)
            }
            guard let upKey = parts.tensorKeys[.up] else {
                throw LoRAError.missingPartner(file: path, key: downKey, expected: key.upKey)
            }
            let down = try Self.tensor(downKey, in: file)
            let up = try Self.tensor(upKey, in: file)
            try Self.checkFactors(down: down, downKey: downKey, up: up, upKey: upKey, file: path)
            var alpha: Float?
            if let alphaKey = parts.tensorKeys[.alpha] {
                let tensor = try Self.tensor(alphaKey, in: file)
                guard tensor.count == 1, tensor.rank <= 1, tensor.scalars[0].isFinite else {
                    throw LoRAError.invalidTensor(file: path, key: alphaKey, shape: tensor.shape, reason: "is not a finite scalar (a LoRA alpha)")
                }
                alpha = tensor.scalars[0]
            }
            layers.append(LoRALayer(target: key.target, module: key.module, spelling: key.spelling, downKey: downKey, upKey: upKey,
                                    alphaKey: parts.tensorKeys[.alpha], down: down, up: up, alpha: alpha, family: key.family))
        }
        self.layers = layers.sorted { $0.downKey < $1.downKey }
    }

    /// The layers that adapt `target`.
    public func layers(for target: LoRATarget) -> [LoRALayer] {
        layers.filter { $0.target == target }
    }

    /// The factor the layer's update is used with before the fusion scale: alpha / rank (kohya:
    /// `.alpha`, or alpha = rank when absent; diffusers/PEFT: from `lora_adapter_metadata`, else 1).
    /// `modulePath` is the real module path, which peft's rank and alpha patterns are matched against.
    func multiplier(of layer: LoRALayer, modulePath: String) throws -> Float {
        switch layer.family {
        case .kohya:
            return (layer.alpha ?? Float(layer.rank)) / Float(layer.rank)
        case .diffusers, .peftAdapter:
            return try metadata.multiplier(target: layer.target, modulePath: modulePath, rank: layer.rank, key: layer.downKey, file: path) ?? 1
        }
    }

    /// The name of a PEFT adapter folder's configuration, beside `adapter_model.safetensors`.
    public static let adapterConfigurationName = "adapter_config.json"

    /// The `adapter_config.json` in the folder of the PEFT adapter file `path` (its keys start
    /// with `base_model.model.`: `PeftModel(transformer).save_pretrained`); its layers adapt SD3's
    /// transformer.
    private static func adapterConfiguration(besides path: String) throws -> LoRAAdapterMetadata {
        let configurationPath = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(adapterConfigurationName)
        guard let data = FileManager.default.contents(atPath: configurationPath) else {
            throw LoRAError.invalidAdapterConfiguration(file: configurationPath,
                reason: "is missing: \(path) is a PEFT adapter (base_model.model. keys), whose rank and alpha are in the adapter_config.json beside it; give the adapter folder")
        }
        return try LoRAAdapterMetadata(adapterConfiguration: data, file: configurationPath, target: .transformer)
    }

    private static func tensor(_ key: String, in file: SafeTensorsFile) throws -> Tensor {
        do {
            return try file.tensor(key)
        } catch let error as SafeTensorsError {
            throw LoRAError.safeTensors(error)
        }
    }

    /// down [r, in] or [r, in, kh, kw]; up [out, r] or [out, r, 1, 1]; ranks equal.
    private static func checkFactors(down: Tensor, downKey: String, up: Tensor, upKey: String, file: String) throws {
        guard down.rank == 2 || down.rank == 4, down.shape.allSatisfy({ $0 > 0 }) else {
            throw LoRAError.invalidTensor(file: file, key: downKey, shape: down.shape, reason: "is not a LoRA down factor ([rank, in] or [rank, in, kh, kw], no empty dimension)")
        }
        guard up.rank == 2 || (up.rank == 4 && up.shape[2] == 1 && up.shape[3] == 1), up.shape.allSatisfy({ $0 > 0 }) else {
            throw LoRAError.invalidTensor(file: file, key: upKey, shape: up.shape, reason: "is not a LoRA up factor ([out, rank] or [out, rank, 1, 1], no empty dimension)")
        }
        guard down.shape[0] == up.shape[1] else {
            throw LoRAError.rankMismatch(file: file, downKey: downKey, downShape: down.shape, upKey: upKey, upShape: up.shape)
        }
    }
}
