import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// SDXL's UNet: the `text_time` addition embedding in the configuration, its inputs and their
/// errors, and the chunked call with the added inputs (parity: NetworkParityTests).
@Suite struct SDXLUNetTests {
    static let fixture = "sdxl/unet-sdxl"

    /// stabilityai/stable-diffusion-xl-base-1.0 `unet/config.json`, as published.
    static let baseConfiguration = """
    {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.19.0.dev0", "act_fn": "silu",
     "addition_embed_type": "text_time", "addition_embed_type_num_heads": 64, "addition_time_embed_dim": 256,
     "attention_head_dim": [5, 10, 20], "block_out_channels": [320, 640, 1280], "center_input_sample": false,
     "class_embed_type": null, "class_embeddings_concat": false, "conv_in_kernel": 3, "conv_out_kernel": 3,
     "cross_attention_dim": 2048, "cross_attention_norm": null,
     "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"], "downsample_padding": 1,
     "dual_cross_attention": false, "encoder_hid_dim": null, "encoder_hid_dim_type": null, "flip_sin_to_cos": true,
     "freq_shift": 0, "in_channels": 4, "layers_per_block": 2, "mid_block_only_cross_attention": null,
     "mid_block_scale_factor": 1, "mid_block_type": "UNetMidBlock2DCrossAttn", "norm_eps": 1e-05, "norm_num_groups": 32,
     "num_attention_heads": null, "num_class_embeds": null, "only_cross_attention": false, "out_channels": 4,
     "projection_class_embeddings_input_dim": 2816, "resnet_out_scale_factor": 1.0, "resnet_skip_time_act": false,
     "resnet_time_scale_shift": "default", "sample_size": 128, "time_cond_proj_dim": null, "time_embedding_act_fn": null,
     "time_embedding_dim": null, "time_embedding_type": "positional", "timestep_post_act": null,
     "transformer_layers_per_block": [1, 2, 10], "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
     "upcast_attention": null, "use_linear_projection": true}
    """

    static func baseConfiguration(_ change: (inout [String: Any]) -> Void) throws -> UNetConfiguration {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(baseConfiguration.utf8)) as? [String: Any])
        change(&object)
        return try UNetConfiguration.decode(data: JSONSerialization.data(withJSONObject: object), name: "unet/config.json")
    }

    @Test func theSDXLBaseConfigurationDecodes() throws {
        let configuration = try Self.baseConfiguration { _ in }
        #expect(configuration.textTimeEmbedding == TextTimeEmbeddingConfiguration(timeEmbeddingDimension: 256, projectionInputDimension: 2816))
        #expect(configuration.textTimeEmbedding?.textEmbeddingDimension() == 1280)
        #expect(configuration.attentionHeads == [5, 10, 20])
        #expect(configuration.transformerLayersPerBlock == [1, 2, 10])
        #expect(configuration.crossAttentionDimension == 2048)
        #expect(configuration.useLinearProjection)
        #expect(configuration.downBlockTypes.first == "DownBlock2D")
    }

    @Test func otherAdditionEmbeddingsAndSettingsAreRejected() throws {
        for value in ["text", "image", "text_image"] {
            #expect(throws: ModelLoadingError.unsupportedConfiguration(file: "unet/config.json", field: "addition_embed_type", value: value)) {
                _ = try Self.baseConfiguration { $0["addition_embed_type"] = value }
            }
        }
        #expect(throws: ModelLoadingError.unsupportedConfiguration(file: "unet/config.json", field: "time_embedding_dim", value: "a non-null value")) {
            _ = try Self.baseConfiguration { $0["time_embedding_dim"] = 512 }
        }
        #expect(throws: ModelLoadingError.unsupportedConfiguration(file: "unet/config.json", field: "class_embeddings_concat", value: "true")) {
            _ = try Self.baseConfiguration { $0["class_embeddings_concat"] = true }
        }
        #expect(throws: ModelLoadingError.invalidConfiguration(file: "unet/config.json", field: "projection_class_embeddings_input_dim",
                                                               reason: "is required when addition_embed_type is \"text_time\"")) {
            _ = try Self.baseConfiguration { $0["projection_class_embeddings_input_dim"] = NSNull() }
        }
        let plain = try Self.baseConfiguration { $0["addition_embed_type"] = NSNull() }
        #expect(plain.textTimeEmbedding == nil)
    }

    struct Inputs {
        let sample: Tensor, timesteps: [Float], context: Tensor, textEmbeds: Tensor, timeIDs: Tensor
        init() throws {
            let file = try SafeTensorsFile(path: Fixtures.file(SDXLUNetTests.fixture, "inputs.safetensors"))
            sample = try file.tensor("sample")
            timesteps = try file.tensor("timestep").scalars
            context = try file.tensor("encoder_hidden_states")
            textEmbeds = try file.tensor("text_embeds")
            timeIDs = try file.tensor("time_ids")
        }
    }

    /// Runs the fixture UNet with the fixture inputs, `textEmbeds`/`timeIDs` replaced.
    private func errorMessage(textEmbeds: Tensor?, timeIDs: Tensor?) throws -> (name: String, reason: String)? {
        let unet = try UNet2DConditionModel(folder: Fixtures.folder(Self.fixture))
        let inputs = try Inputs()
        let error = #expect(throws: ModelLoadingError.self) {
            _ = try unet(sample: inputs.sample, timesteps: inputs.timesteps, encoderHiddenStates: inputs.context,
                         textEmbeds: textEmbeds, timeIDs: timeIDs)
        }
        guard case let .invalidInput(name, reason)? = error else { return nil }
        return (name, reason)
    }

    @Test func missingAddedInputsAreNamedWithTheirShape() throws {
        let inputs = try Inputs()
        let unet = try UNet2DConditionModel(folder: Fixtures.folder(Self.fixture))
        #expect(unet.requiresTextTimeInputs)
        let noText = try #require(try errorMessage(textEmbeds: nil, timeIDs: inputs.timeIDs))
        #expect(noText.name == "text_embeds" && noText.reason.contains("[2, 32]"), "\(noText)")
        let noTimeIDs = try #require(try errorMessage(textEmbeds: inputs.textEmbeds, timeIDs: nil))
        #expect(noTimeIDs.name == "time_ids" && noTimeIDs.reason.contains("[2, 6]"), "\(noTimeIDs)")
    }

    @Test func misShapedAddedInputsAreNamedWithTheirShape() throws {
        let inputs = try Inputs()
        let narrowText = try #require(try errorMessage(textEmbeds: patternTensor([2, 31]), timeIDs: inputs.timeIDs))
        #expect(narrowText.name == "text_embeds" && narrowText.reason.contains("[2, 31]") && narrowText.reason.contains("[2, 32]"), "\(narrowText)")
        let fiveIDs = try #require(try errorMessage(textEmbeds: inputs.textEmbeds, timeIDs: patternTensor([2, 5])))
        #expect(fiveIDs.name == "time_ids" && fiveIDs.reason.contains("[2, 5]") && fiveIDs.reason.contains("[2, 6]"), "\(fiveIDs)")
        let oneRow = try #require(try errorMessage(textEmbeds: inputs.textEmbeds, timeIDs: patternTensor([1, 6])))
        #expect(oneRow.name == "time_ids" && oneRow.reason.contains("[2, 6]"), "\(oneRow)")
        let flat = try #require(try errorMessage(textEmbeds: patternTensor([64]), timeIDs: inputs.timeIDs))
        #expect(flat.name == "text_embeds" && flat.reason.contains("[64]"), "\(flat)")
    }

    @Test func aUNetWithoutTextTimeRefusesAddedInputs() throws {
        let unet = try UNet2DConditionModel(folder: Fixtures.folder("unet-sd1"))
        #expect(!unet.requiresTextTimeInputs)
        let file = try SafeTensorsFile(path: Fixtures.file("unet-sd1", "inputs.safetensors"))
        let error = #expect(throws: ModelLoadingError.self) {
            _ = try unet(sample: file.tensor("sample"), timesteps: file.tensor("timestep").scalars,
                         encoderHiddenStates: file.tensor("encoder_hidden_states"), textEmbeds: patternTensor([2, 32]), timeIDs: nil)
        }
        guard case let .invalidInput(name, reason)? = error else { return }
        #expect(name == "text_embeds" && reason.contains("text_time"), "\(reason)")
    }

    @Test func chunksSliceTheAddedInputs() throws {
        let unet = try UNet2DConditionModel(folder: Fixtures.folder(Self.fixture))
        let inputs = try Inputs()
        let whole = try unet(sample: inputs.sample, timesteps: inputs.timesteps, encoderHiddenStates: inputs.context,
                             textEmbeds: inputs.textEmbeds, timeIDs: inputs.timeIDs)
        let chunked = try unet(sample: inputs.sample, timesteps: inputs.timesteps, encoderHiddenStates: inputs.context,
                               textEmbeds: inputs.textEmbeds, timeIDs: inputs.timeIDs, maximumBatch: 1)
        let comparison = Comparison(chunked, whole)
        #expect(comparison.maximumAbsoluteError < 1e-5, "\(comparison)")
        let reference = try SafeTensorsFile(path: Fixtures.file(Self.fixture, "outputs.safetensors")).tensor("sample")
        #expect(Comparison(chunked, reference).maximumAbsoluteError < 1e-4)
        // The chunked form checks the added inputs like the plain one.
        #expect(throws: ModelLoadingError.self) {
            _ = try unet(sample: inputs.sample, timesteps: inputs.timesteps, encoderHiddenStates: inputs.context,
                         textEmbeds: nil, timeIDs: inputs.timeIDs, maximumBatch: 1)
        }
    }

    @Test func forwardNamesMissingAddedInputs() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let inputs = scratch.file("inputs.safetensors")
        var tensors = try readAllTensors(Fixtures.file(Self.fixture, "inputs.safetensors"))
        tensors["time_ids"] = nil
        try SafeTensorsWriter.write(tensors, to: inputs)
        let error = #expect(throws: ModelLoadingError.self) {
            _ = try NetworkComponent.unet.run(model: Fixtures.folder(Self.fixture), inputs: SafeTensorsFile(path: inputs))
        }
        #expect(error.map { "\($0)" }?.contains("time_ids") == true && error.map { "\($0)" }?.contains("text_time") == true,
                "\(String(describing: error))")
    }
}
