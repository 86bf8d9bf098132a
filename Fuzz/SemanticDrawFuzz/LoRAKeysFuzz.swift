import Foundation
@testable import DiffusionModels
import TensorRuntime

/// LoRA key sets (`LoRAWeights(path:)`, `LoRAKeyLayout`): the input is one key per line (at most
/// 64), optionally after a first line holding `lora_adapter_metadata` JSON. Each key is parsed
/// alone, then all are written to a safetensors file with factor-shaped tensors (down [2, 8],
/// up [8, 2], alpha a scalar) and read as a LoRA file, which pairs, groups and checks them.
enum LoRAKeysFuzz {
    nonisolated(unsafe) static var path = ""

    static let target = FuzzTarget(name: "lora-keys", prepare: {
        path = FuzzCheck.scratchFolder("lora-keys") + "/lora.safetensors"
    }, run: { data in
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var metadata: [String: String] = [:]
        if let first = lines.first, first.hasPrefix("{") {
            metadata[LoRAAdapterMetadata.metadataKey] = first
            lines.removeFirst()
        }
        var tensors: [String: SafeTensorsValue] = [:]
        for key in lines.prefix(64) where !key.isEmpty {
            _ = try? LoRAKeyLayout.parse(key, file: "fuzz")
            tensors[key] = .float32(Tensor(shape: shape(of: key), repeating: 0.5))
        }
        guard (try? SafeTensorsWriter.write(tensors, metadata: metadata, to: path)) != nil else { return }
        guard let weights = try? LoRAWeights(path: path) else { return }
        FuzzCheck.require(!weights.layers.isEmpty, "a LoRA file was accepted with no layers")
        for layer in weights.layers {
            FuzzCheck.require(tensors[layer.downKey] != nil && tensors[layer.upKey] != nil, "layer \(layer.downKey) names keys the file lacks")
        }
    })

    static func shape(of key: String) -> [Int] {
        if key.hasSuffix("alpha") { return [] }
        if key.contains("down") || key.contains("lora_A") { return [2, 8] }
        if key.contains("up") || key.contains("lora_B") { return [8, 2] }
        return [1]
    }
}
