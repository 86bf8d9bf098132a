import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// SD3's MMDiT: the configurations of SD3 Medium, SD3.5 Medium and SD3.5 Large, the position
/// embedding against diffusers' buffer, loading (strict, pipeline folders, a checkpoint without
/// the position buffer) and input errors. Parity of the whole network with diffusers 0.42.1 is
/// NetworkParityTests (`sd3/transformer-*`, tolerance 1e-4).
@Suite struct SD3TransformerTests {
    static let fixtures = ["sd3/transformer-sd3", "sd3/transformer-sd35-medium", "sd3/transformer-sd35-large"]

    /// stabilityai/stable-diffusion-3-medium-diffusers `transformer/config.json`, as published.
    static let sd3MediumConfiguration = """
    {"_class_name": "SD3Transformer2DModel", "_diffusers_version": "0.29.0.dev0", "attention_head_dim": 64,
     "caption_projection_dim": 1536, "in_channels": 16, "joint_attention_dim": 4096, "num_attention_heads": 24,
     "num_layers": 24, "out_channels": 16, "patch_size": 2, "pooled_projection_dim": 2048, "pos_embed_max_size": 192,
     "sample_size": 128}
    """
    /// stabilityai/stable-diffusion-3.5-medium `transformer/config.json`.
    static let sd35MediumConfiguration = """
    {"_class_name": "SD3Transformer2DModel", "_diffusers_version": "0.31.0.dev0", "attention_head_dim": 64,
     "caption_projection_dim": 1536, "dual_attention_layers": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
     "in_channels": 16, "joint_attention_dim": 4096, "num_attention_heads": 24, "num_layers": 24, "out_channels": 16,
     "patch_size": 2, "pooled_projection_dim": 2048, "pos_embed_max_size": 384, "qk_norm": "rms_norm", "sample_size": 128}
    """
    /// stabilityai/stable-diffusion-3.5-large `transformer/config.json`.
    static let sd35LargeConfiguration = """
    {"_class_name": "SD3Transformer2DModel", "_diffusers_version": "0.31.0.dev0", "attention_head_dim": 64,
     "caption_projection_dim": 2432, "in_channels": 16, "joint_attention_dim": 4096, "num_attention_heads": 38,
     "num_layers": 38, "out_channels": 16, "patch_size": 2, "pooled_projection_dim": 2048, "pos_embed_max_size": 192,
     "qk_norm": "rms_norm", "sample_size": 128}
    """

    static func decode(_ json: String, _ change: (inout [String: Any]) -> Void = { _ in }) throws -> SD3TransformerConfiguration {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        change(&object)
        return try SD3TransformerConfiguration.decode(data: JSONSerialization.data(withJSONObject: object), name: "transformer/config.json")
    }

    @Test func publishedConfigurationsDecode() throws {
        let medium = try Self.decode(Self.sd3MediumConfiguration)
        #expect(medium.innerDimension == 1536 && medium.layerCount == 24 && medium.positionEmbeddingMaximumSize == 192)
        #expect(medium.dualAttentionLayers.isEmpty && medium.queryKeyNormalization == nil && medium.positionBaseSize == 64)
        let medium35 = try Self.decode(Self.sd35MediumConfiguration)
        #expect(medium35.dualAttentionLayers == Set(0...12) && medium35.queryKeyNormalization == .rmsNorm)
        #expect(medium35.positionEmbeddingMaximumSize == 384)
        let large = try Self.decode(Self.sd35LargeConfiguration)
        #expect(large.innerDimension == 2432 && large.layerCount == 38 && large.queryKeyNormalization == .rmsNorm)
        // diffusers' defaults for absent fields; null out_channels means in_channels; null
        // pos_embed_max_size means no cropping.
        let defaults = try SD3TransformerConfiguration.decode(data: Data("{\"caption_projection_dim\": 1152}".utf8), name: "config.json")
        #expect(defaults.sampleSize == 128 && defaults.layerCount == 18 && defaults.innerDimension == 1152
                && defaults.positionEmbeddingMaximumSize == 96 && defaults.outChannels == 16 && defaults.jointAttentionDimension == 4096)
        let nulls = try Self.decode(Self.sd3MediumConfiguration) {
            $0["out_channels"] = NSNull()
            $0["in_channels"] = 8
            $0["pos_embed_max_size"] = NSNull()
        }
        #expect(nulls.outChannels == 8 && nulls.positionEmbeddingMaximumSize == nil)
    }

    @Test func unsupportedSettingsAreNamed() throws {
        #expect(throws: ModelLoadingError.unsupportedConfiguration(file: "transformer/config.json", field: "qk_norm",
                                                                   value: "\"layer_norm\" (supported: null, \"rms_norm\")")) {
            _ = try Self.decode(Self.sd3MediumConfiguration) { $0["qk_norm"] = "layer_norm" }
        }
        let mismatch = #expect(throws: ModelLoadingError.self) {
            _ = try Self.decode(Self.sd3MediumConfiguration) { $0["caption_projection_dim"] = 1152 }
        }
        #expect(String(describing: mismatch).contains("caption_projection_dim") && String(describing: mismatch).contains("1536"))
        #expect(throws: ModelLoadingError.invalidConfiguration(file: "transformer/config.json", field: "patch_size", reason: "must be positive, got 0")) {
            _ = try Self.decode(Self.sd3MediumConfiguration) { $0["patch_size"] = 0 }
        }
        let typed = #expect(throws: ModelLoadingError.self) {
            _ = try Self.decode(Self.sd3MediumConfiguration) { $0["num_layers"] = "24" }
        }
        #expect(String(describing: typed).contains("num_layers"))
    }

    /// The sincos table computed here equals diffusers' `pos_embed.pos_embed` buffer (saved with
    /// the weights) and its centred crop for the fixture's 4 x 6 patch grid.
    @Test(arguments: fixtures)
    func positionEmbeddingMatchesDiffusers(_ fixture: String) throws {
        let configuration = try SD3TransformerConfiguration.load(path: Fixtures.file(fixture, "config.json"))
        let maximum = try #require(configuration.positionEmbeddingMaximumSize)
        let weights = try SafeTensorsFile(path: Fixtures.file(fixture, "diffusion_pytorch_model.safetensors"))
        let stored = try weights.tensor("pos_embed.pos_embed")
        let computed = SinusoidalPositionEmbedding.table(gridRows: maximum, gridColumns: maximum, rows: 0..<maximum, columns: 0..<maximum,
                                                         dimension: configuration.innerDimension, baseSize: configuration.positionBaseSize)
        let full = Comparison(computed.reshaped(stored.shape), stored)
        #expect(full.maximumAbsoluteError <= 1e-6, "full table: \(full)")
        let crop = try SafeTensorsFile(path: Fixtures.file(fixture, "outputs.safetensors")).tensor("cropped_pos_embed")
        let rows = 4, columns = 6, top = (maximum - rows) / 2, left = (maximum - columns) / 2
        let cropped = SinusoidalPositionEmbedding.table(gridRows: maximum, gridColumns: maximum, rows: top..<(top + rows),
                                                        columns: left..<(left + columns), dimension: configuration.innerDimension,
                                                        baseSize: configuration.positionBaseSize)
        let comparison = Comparison(cropped.reshaped(crop.shape), crop)
        print("position embedding \(fixture): full \(full), crop \(comparison)")
        #expect(comparison.maximumAbsoluteError <= 1e-6, "crop: \(comparison)")
    }

    struct Inputs {
        let hiddenStates: Tensor, context: Tensor, pooled: Tensor, timesteps: [Float]
        init(_ fixture: String) throws {
            let file = try SafeTensorsFile(path: Fixtures.file(fixture, "inputs.safetensors"))
            hiddenStates = try file.tensor("hidden_states")
            context = try file.tensor("encoder_hidden_states")
            pooled = try file.tensor("pooled_projections")
            timesteps = try file.tensor("timestep").scalars
        }
    }

    static func reference(_ fixture: String) throws -> Tensor {
        try SafeTensorsFile(path: Fixtures.file(fixture, "outputs.safetensors")).tensor("sample")
    }

    /// A checkpoint without the position buffer (diffusers computes it at construction) loads with
    /// the table computed here and gives the same output; a pipeline folder's `transformer/` loads.
    @Test func loadsWithoutThePositionBufferAndFromPipelineFolders() throws {
        let fixture = "sd3/transformer-sd3"
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let pipeline = scratch.file("pipeline")
        _ = try scratch.copyFixture(fixture, as: "pipeline/transformer")
        try rewriteTensors(pipeline + "/transformer/diffusion_pytorch_model.safetensors") { tensors in
            #expect(tensors.removeValue(forKey: "pos_embed.pos_embed") != nil)
        }
        let model = try SD3Transformer2DModel(folder: pipeline)
        let inputs = try Inputs(fixture)
        let output = try model(hiddenStates: inputs.hiddenStates, encoderHiddenStates: inputs.context, pooledProjections: inputs.pooled,
                               timesteps: inputs.timesteps)
        let comparison = Comparison(output, try Self.reference(fixture))
        #expect(comparison.maximumAbsoluteError < 1e-4, "\(comparison)")
    }

    /// Strict loading: a dual-attention config over weights of a block without it names the
    /// mis-shaped modulation (9 vectors expected, 6 stored); weights the config does not use
    /// (SD3.5's qk norms under a config without `qk_norm`) are named too.
    @Test func loadingIsStrict() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture("sd3/transformer-sd3", as: "dual")
        try rewriteJSON(folder + "/config.json") { $0["dual_attention_layers"] = [0] }
        #expect(throws: ModelLoadingError.shapeMismatch(key: "transformer_blocks.0.norm1.linear.weight", expected: [144, 16], found: [96, 16],
                                                         file: folder + "/diffusion_pytorch_model.safetensors")) {
            _ = try SD3Transformer2DModel(folder: folder)
        }

        let medium = try scratch.copyFixture("sd3/transformer-sd35-medium", as: "medium")
        try rewriteJSON(medium + "/config.json") { $0["qk_norm"] = NSNull() }
        let unused = #expect(throws: ModelLoadingError.self) { _ = try SD3Transformer2DModel(folder: medium) }
        guard case .unusedParameters(let keys, _)? = unused else {
            Issue.record("expected unusedParameters, got \(String(describing: unused))")
            return
        }
        #expect(keys.contains("transformer_blocks.0.attn.norm_q.weight") && keys.contains("transformer_blocks.0.attn2.norm_k.weight"))
    }

    /// One timestep for the whole batch equals the same value given per sample.
    @Test func scalarTimestepBroadcasts() throws {
        let fixture = "sd3/transformer-sd35-large"
        let model = try SD3Transformer2DModel(folder: Fixtures.folder(fixture))
        let inputs = try Inputs(fixture)
        let shared = try model(hiddenStates: inputs.hiddenStates, encoderHiddenStates: inputs.context, pooledProjections: inputs.pooled,
                               timesteps: [500])
        let perSample = try model(hiddenStates: inputs.hiddenStates, encoderHiddenStates: inputs.context, pooledProjections: inputs.pooled,
                                  timesteps: [500, 500])
        #expect(shared.scalars == perSample.scalars)
    }

    @Test func invalidInputsNameTheTensor() throws {
        let fixture = "sd3/transformer-sd3"
        let model = try SD3Transformer2DModel(folder: Fixtures.folder(fixture))
        let inputs = try Inputs(fixture)
        func reason(hiddenStates: Tensor? = nil, context: Tensor? = nil, pooled: Tensor? = nil, timesteps: [Float]? = nil) -> (String, String)? {
            do {
                _ = try model(hiddenStates: hiddenStates ?? inputs.hiddenStates, encoderHiddenStates: context ?? inputs.context,
                              pooledProjections: pooled ?? inputs.pooled, timesteps: timesteps ?? inputs.timesteps)
                return nil
            } catch let ModelLoadingError.invalidInput(name, reason) {
                return (name, reason)
            } catch {
                return ("other", "\(error)")
            }
        }
        let cases: [((String, String)?, String, String)] = [
            (reason(hiddenStates: patternTensor([2, 4, 8, 12])), "hidden_states", "expected [B, 16, H, W]"),
            (reason(hiddenStates: patternTensor([2, 16, 7, 12])), "hidden_states", "multiples of patch_size 2"),
            (reason(hiddenStates: patternTensor([2, 16, 22, 4])), "hidden_states", "larger than pos_embed_max_size 10"),
            (reason(context: patternTensor([2, 7, 16])), "encoder_hidden_states", "expected [2, S, 24]"),
            (reason(context: patternTensor([1, 7, 24])), "encoder_hidden_states", "has shape [1, 7, 24]"),
            (reason(pooled: patternTensor([2, 13])), "pooled_projections", "expected [2, 12]"),
            (reason(timesteps: [1, 2, 3]), "timestep", "has 3 values for a batch of 2"),
        ]
        for (result, name, fragment) in cases {
            #expect(result?.0 == name, "\(String(describing: result))")
            #expect(result?.1.contains(fragment) == true, "\(String(describing: result)) should mention \(fragment)")
        }
    }
}
