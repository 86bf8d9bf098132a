import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// Sharded checkpoints (`<base>.safetensors.index.json` + shards, as diffusers saves large
/// components such as SD3.5 Large's transformer): the transformer fixture split into two shards
/// loads to the same network as the single file, LoRAs fuse into it, and a broken index is named.
@Suite struct ShardedWeightsTests {
    static let source = Fixtures.folder("sd3/transformer-sd3")

    /// The fixture's transformer as a component folder with two shards and an index.
    static func shardedCopy(breakIndex: Bool = false) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sharded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source + "/config.json", toPath: folder.appendingPathComponent("config.json").path)
        let file = try SafeTensorsFile(path: source + "/diffusion_pytorch_model.safetensors")
        var map: [String: String] = [:]
        for (index, part) in [file.keys.filter { $0.hasPrefix("transformer_blocks.") }, file.keys.filter { !$0.hasPrefix("transformer_blocks.") }].enumerated() {
            let name = "diffusion_pytorch_model-0000\(index + 1)-of-00002.safetensors"
            var tensors: [String: Tensor] = [:]
            for key in part {
                tensors[key] = try file.tensor(key)
                map[key] = name
            }
            try SafeTensorsWriter.write(tensors.mapValues { .float32($0) }, metadata: ["format": "pt"], to: folder.appendingPathComponent(name).path)
        }
        if breakIndex { map["proj_out.weight"] = "diffusion_pytorch_model-00001-of-00002.safetensors" }
        let index = try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": map], options: [.sortedKeys])
        try index.write(to: folder.appendingPathComponent("diffusion_pytorch_model.safetensors.index.json"))
        return folder
    }

    @Test func shardsLoadAsTheSingleFile() throws {
        let folder = try Self.shardedCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let component = try ComponentFolder(path: folder.path, subfolder: "transformer", weightBaseName: "diffusion_pytorch_model",
                                            allowsShards: true)
        #expect(component.shardIndexPath?.hasSuffix(".index.json") == true)
        let inputs = try SafeTensorsFile(path: Self.source + "/inputs.safetensors")
        func run(_ model: SD3Transformer2DModel) throws -> Tensor {
            try model(hiddenStates: inputs.tensor("hidden_states"), encoderHiddenStates: inputs.tensor("encoder_hidden_states"),
                      pooledProjections: inputs.tensor("pooled_projections"), timesteps: inputs.tensor("timestep").scalars)
        }
        let single = try run(SD3Transformer2DModel(folder: Self.source))
        #expect(try run(SD3Transformer2DModel(folder: folder.path)).scalars == single.scalars)
        let adapter = Fixtures.file("sd3-lora/adapter", "adapter_model.safetensors")
        let fusedSingle = try run(SD3Transformer2DModel(folder: Self.source, loras: [LoRAReference(path: adapter)]))
        let fusedShards = try run(SD3Transformer2DModel(folder: folder.path, loras: [LoRAReference(path: adapter)]))
        #expect(fusedShards.scalars == fusedSingle.scalars)
    }

    @Test func aBrokenIndexIsNamed() throws {
        let folder = try Self.shardedCopy(breakIndex: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: ModelLoadingError.self) { _ = try SD3Transformer2DModel(folder: folder.path) }
        #expect(String(describing: error).contains("proj_out.weight") && String(describing: error).contains("index.json"))
    }
}
