import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// LoRA fusion into SD3's transformer against peft 0.21.2 / diffusers 0.42.1
/// (`Tests/Fixtures/sd3-lora`, Tools/make_sd3_lora_fixtures.py): a PEFT adapter folder
/// (`adapter_config.json` + `adapter_model.safetensors` with `base_model.model.` keys, the layout
/// of jasperai/flash-sd3) with r 4, alpha 8, a rank pattern and an alpha pattern, and the same
/// layers as a diffusers SD3 LoRA file (`transformer.` keys, `lora_adapter_metadata`). Fused
/// weights against `merge_and_unload()` (1e-5), the fused transformer's output against peft's
/// unmerged forward (relative 1e-5; measured max-abs 8.1e-5 on outputs up to ~15, relative 5.4e-6).
@Suite struct SD3LoRATests {
    static let transformer = Fixtures.folder("sd3/transformer-sd3")
    static let folder = Fixtures.folder("sd3-lora")

    static func fusedWeights(_ lora: String) throws -> [String: Tensor] {
        try LoRAFusion.overrides(for: .transformer(folder: transformer), references: [LoRAReference(path: lora)])
    }

    static func checkAgainstMerged(_ fused: [String: Tensor]) throws {
        let merged = try SafeTensorsFile(path: folder + "/merged.safetensors")
        #expect(Set(fused.keys) == Set(merged.keys), "the adapted weights are the ones peft merges")
        var worst: Float = 0
        for key in merged.keys {
            let expected = try merged.tensor(key)
            let actual = try #require(fused[key])
            try #require(actual.shape == expected.shape, "\(key): \(actual.shape) vs \(expected.shape)")
            worst = max(worst, Comparison(actual, expected).maximumAbsoluteError)
        }
        print("sd3 lora fused weights vs merge_and_unload: max-abs \(worst)")
        #expect(worst < 1e-5)
    }

    @Test func peftAdapterFolderFusesAsPeftMerges() throws {
        // The file inside the adapter folder: its adapter_config.json gives rank and alpha.
        try Self.checkAgainstMerged(try Self.fusedWeights(Self.folder + "/adapter/adapter_model.safetensors"))
    }

    @Test func diffusersTransformerLoRAFusesTheSame() throws {
        try Self.checkAgainstMerged(try Self.fusedWeights(Self.folder + "/diffusers-lora.safetensors"))
    }

    @Test func fusedTransformerMatchesPeftsForward() throws {
        let model = try SD3Transformer2DModel(folder: Self.transformer,
                                              loras: [LoRAReference(path: Self.folder + "/adapter/adapter_model.safetensors")])
        let inputs = try SafeTensorsFile(path: Self.transformer + "/inputs.safetensors")
        let timesteps = try inputs.tensor("timestep").scalars
        let output = try model(hiddenStates: inputs.tensor("hidden_states"), encoderHiddenStates: inputs.tensor("encoder_hidden_states"),
                               pooledProjections: inputs.tensor("pooled_projections"), timesteps: timesteps)
        let expected = try SafeTensorsFile(path: Self.folder + "/outputs.safetensors").tensor("sample")
        try #require(output.shape == expected.shape)
        let comparison = Comparison(output, expected)
        print("sd3 transformer with the PEFT adapter vs peft: \(comparison)")
        // The adapter's doubled factors make outputs of size ~15: compare relative to them.
        #expect(comparison.relativeError < 1e-5)
        // Half the scale is half the update: the chunked call and scales are honoured too.
        let half = try SD3Transformer2DModel(folder: Self.transformer,
                                             loras: [LoRAReference(path: Self.folder + "/adapter/adapter_model.safetensors", scale: 0.5)])
        let halfOutput = try half(hiddenStates: inputs.tensor("hidden_states"), encoderHiddenStates: inputs.tensor("encoder_hidden_states"),
                                  pooledProjections: inputs.tensor("pooled_projections"), timesteps: timesteps, maximumBatch: 1)
        #expect(Comparison(halfOutput, expected).maximumAbsoluteError > 1e-2, "scale 0.5 changes the output")
    }

    /// Without adapter_config.json beside it, a PEFT adapter file is refused, naming the file it needs.
    @Test func adapterWithoutItsConfigurationIsRefused() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sd3-lora-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let copy = scratch.appendingPathComponent("adapter_model.safetensors").path
        try FileManager.default.copyItem(atPath: Self.folder + "/adapter/adapter_model.safetensors", toPath: copy)
        let error = #expect(throws: LoRAError.self) { _ = try LoRAWeights(path: copy) }
        #expect(String(describing: error).contains("adapter_config.json") && String(describing: error).contains("is missing"))

        // An adapter configuration asking for DoRA cannot be fused.
        var configuration = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: Self.folder + "/adapter/adapter_config.json"))) as? [String: Any])
        configuration["use_dora"] = true
        try JSONSerialization.data(withJSONObject: configuration).write(to: scratch.appendingPathComponent("adapter_config.json"))
        let dora = #expect(throws: LoRAError.self) { _ = try LoRAWeights(path: copy) }
        #expect(String(describing: dora).contains("use_dora"))
        // A rank the configuration contradicts is named.
        configuration["use_dora"] = false
        configuration["r"] = 3
        try JSONSerialization.data(withJSONObject: configuration).write(to: scratch.appendingPathComponent("adapter_config.json"))
        let rank = #expect(throws: LoRAError.self) {
            _ = try LoRAFusion.overrides(for: .transformer(folder: Self.transformer), references: [LoRAReference(path: copy)])
        }
        #expect(String(describing: rank).contains("rank 3"), "\(String(describing: rank))")
    }

    /// Transformer layers are refused by a UNet, UNet layers by the transformer, never skipped silently.
    @Test func layersForTheOtherDenoiserAreRefused() throws {
        let adapter = Self.folder + "/adapter/adapter_model.safetensors"
        let intoUNet = #expect(throws: LoRAError.self) {
            _ = try LoRAFusion.overrides(for: .unet(folder: Fixtures.folder("unet-sd1")), references: [LoRAReference(path: adapter)])
        }
        #expect(String(describing: intoUNet).contains("SD3's transformer"))
        let unetLoRA = Fixtures.file("lora/kohya-diffusers", "lora.safetensors")
        let intoTransformer = #expect(throws: LoRAError.self) {
            _ = try LoRAFusion.overrides(for: .transformer(folder: Self.transformer), references: [LoRAReference(path: unetLoRA)])
        }
        #expect(String(describing: intoTransformer).contains("UNet"))
    }
}
