@testable import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// SDXL LoRAs against diffusers 0.42.1: the tiny LoRAs of Tests/Fixtures/sdxl/
/// (Tools/make_sdxl_layout_fixtures.py) in kohya SGM names, kohya diffusers names, PEFT with adapter
/// metadata and diffusers' older layout, each fused at scale 0.8 into the tiny SDXL checkpoint's
/// UNet and both text encoders (read through the single-file conversion) and compared with the
/// weights `StableDiffusionXLPipeline.load_lora_weights` + `fuse_lora(lora_scale=0.8)` produced:
/// the same modules adapted, every fused weight within 1e-6.
@Suite struct SDXLLoRATests {
    static let scale: Float = 0.8
    static let styles = ["kohya-sgm", "kohya-diffusers", "peft", "diffusers-old"]
    static let networks: [(target: LoRATarget, name: String)] = [(.unet, "unet"), (.textEncoder, "text_encoder"), (.textEncoder2, "text_encoder_2")]

    @Test(arguments: styles) func fusedWeightsEqualDiffusers(_ style: String) throws {
        let components = try SingleFileCheckpoint(path: SDXLSingleFileTests.checkpoint).components(configurationFolder: SDXLSingleFileTests.configuration)
        let lora = try LoRAWeights(path: Fixtures.file("sdxl", "lora-\(style).safetensors"))
        let reference = try SafeTensorsFile(path: Fixtures.file("sdxl", "lora-fused.safetensors"))
        for (target, name) in Self.networks {
            let network = try #require(components.loraTarget(target))
            let overrides = try LoRAFusion.overrides(for: network, loras: [(lora, Self.scale)])
            let prefix = "\(style)/\(name)/"
            let expectedKeys = Set(reference.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
            #expect(!expectedKeys.isEmpty && Set(overrides.keys) == expectedKeys,
                    "\(style) \(name): \(Set(overrides.keys).symmetricDifference(expectedKeys).sorted())")
            for key in expectedKeys.sorted() {
                let actual = try #require(overrides[key]), expected = try reference.tensor(prefix + key)
                #expect(actual.shape == expected.shape, "\(style) \(key)")
                if actual.shape == expected.shape {
                    let error = Comparison(actual, expected).maximumAbsoluteError
                    #expect(error <= 1e-6, "\(style) \(name) \(key): max-abs \(error)")
                }
            }
        }
    }

    /// Through the folder loaders: a kohya SDXL LoRA given to both text encoders of an SDXL
    /// pipeline folder (the converted fixture written as diffusers folders) fuses its
    /// `lora_te1_` layers into `text_encoder` and its `lora_te2_` layers into `text_encoder_2`,
    /// giving the networks built from diffusers' fused weights; the UNet likewise.
    @Test func pipelineFolderLoadersFuseEveryNetwork() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let pipeline = scratch.file("sdxl")
        let converted = try SafeTensorsFile(path: Fixtures.file("sdxl", "sdxl-converted.safetensors"))
        let reference = try SafeTensorsFile(path: Fixtures.file("sdxl", "lora-fused.safetensors"))
        for (subfolder, weightsName) in [("unet", "diffusion_pytorch_model"), ("text_encoder", "model"), ("text_encoder_2", "model")] {
            let folder = (pipeline as NSString).appendingPathComponent(subfolder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Fixtures.file("sdxl", "sdxl-config/\(subfolder)/config.json"),
                                             toPath: folder + "/config.json")
            var tensors: [String: SafeTensorsValue] = [:]
            for key in converted.keys where key.hasPrefix(subfolder + "/") {
                tensors[String(key.dropFirst(subfolder.count + 1))] = .float32(try converted.tensor(key).copy())
            }
            try SafeTensorsWriter.write(tensors, to: folder + "/\(weightsName).safetensors")
        }
        let lora = [LoRAReference(path: Fixtures.file("sdxl", "lora-kohya-sgm.safetensors"), scale: Self.scale)]
        func fusedByDiffusers(_ name: String) throws -> [String: Tensor] {
            let prefix = "kohya-sgm/\(name)/"
            var overrides: [String: Tensor] = [:]
            for key in reference.keys where key.hasPrefix(prefix) { overrides[String(key.dropFirst(prefix.count))] = try reference.tensor(key) }
            #expect(!overrides.isEmpty, "\(name)")
            return overrides
        }
        let inputIDs = [[0, 5, 9, 3, 2] + Array(repeating: 1, count: 72)]
        for subfolder in ["text_encoder", "text_encoder_2"] {
            let ours = try CLIPTextModel(folder: pipeline, subfolder: subfolder, loras: lora)(inputIDs: inputIDs)
            let theirs = try CLIPTextModel(folder: pipeline, subfolder: subfolder, overrides: fusedByDiffusers(subfolder))(inputIDs: inputIDs)
            let error = Comparison(ours.lastHiddenState, theirs.lastHiddenState).maximumAbsoluteError
            #expect(error <= 1e-5, "\(subfolder): max-abs \(error)")
        }
        let ours = try UNet2DConditionModel(folder: pipeline, loras: lora)
        let theirs = try UNet2DConditionModel(folder: pipeline + "/unet", overrides: fusedByDiffusers("unet"))
        // The replacement-weights loader (SDXL-Lightning's full UNet) with the folder's own file.
        let replaced = try UNet2DConditionModel(folder: pipeline, weightsFile: pipeline + "/unet/diffusion_pytorch_model.safetensors", loras: lora)
        let configuration = ours.configuration
        let textDimension = try #require(configuration.textTimeEmbedding?.textEmbeddingDimension())
        func run(_ unet: UNet2DConditionModel) throws -> Tensor {
            try unet(sample: patternTensor([1, configuration.inChannels, 8, 8], seed: 1), timesteps: [500],
                     encoderHiddenStates: patternTensor([1, 7, configuration.crossAttentionDimension], seed: 2),
                     textEmbeds: patternTensor([1, textDimension], seed: 3), timeIDs: Tensor(shape: [1, 6], values: [64, 64, 0, 0, 64, 64]))
        }
        let expected = try run(theirs)
        for (name, unet) in [("loras", ours), ("weights file + loras", replaced)] {
            let error = Comparison(try run(unet), expected).maximumAbsoluteError
            #expect(error <= 1e-5, "unet (\(name)): max-abs \(error)")
        }
    }

    @Test func sdxlKeysNameTheirNetworks() throws {
        let kohya = try LoRAWeights(path: Fixtures.file("sdxl", "lora-kohya-sgm.safetensors"))
        #expect(kohya.layers(for: .textEncoder2).map(\.module).contains("text_model_encoder_layers_2_mlp_fc1"))
        #expect(kohya.layers(for: .textEncoder).allSatisfy { $0.downKey.hasPrefix("lora_te1_") })
        #expect(kohya.layers(for: .unet).contains { $0.module == "label_emb_0_0" })
        let peft = try LoRAWeights(path: Fixtures.file("sdxl", "lora-peft.safetensors"))
        #expect(peft.layers(for: .textEncoder2).allSatisfy { $0.downKey.hasPrefix("text_encoder_2.") })
        let old = try LoRAWeights(path: Fixtures.file("sdxl", "lora-diffusers-old.safetensors"))
        #expect(old.layers(for: .unet).contains { $0.module == "mid_block.attentions.0.transformer_blocks.1.attn1.to_out.0" })
    }

    /// The SGM (LDM) names of SDXL base's UNet modules, as diffusers' `_maybe_map_sgm_blocks_to_diffusers`
    /// lays them out (input block n = 1 + block * (layers + 1) + layer; output block n = block * (layers + 1) + layer).
    @Test func sgmNamesOfSDXLBase() throws {
        let names = LDMUNetModuleNames(configuration: try SingleFileConfigurations.builtIn(.stableDiffusionXL).unet)
        let expected = [
            "conv_in": "input_blocks.0.0",
            "add_embedding.linear_1": "label_emb.0.0",
            "add_embedding.linear_2": "label_emb.0.2",
            "down_blocks.0.resnets.1.time_emb_proj": "input_blocks.2.0.emb_layers.1",
            "down_blocks.0.downsamplers.0.conv": "input_blocks.3.0.op",
            "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q": "input_blocks.4.1.transformer_blocks.0.attn1.to_q",
            "down_blocks.1.resnets.0.conv_shortcut": "input_blocks.4.0.skip_connection",
            "down_blocks.2.attentions.1.transformer_blocks.9.ff.net.2": "input_blocks.8.1.transformer_blocks.9.ff.net.2",
            "mid_block.attentions.0.transformer_blocks.9.attn2.to_k": "middle_block.1.transformer_blocks.9.attn2.to_k",
            "up_blocks.0.attentions.2.proj_out": "output_blocks.2.1.proj_out",
            "up_blocks.0.upsamplers.0.conv": "output_blocks.2.2.conv",
            "up_blocks.1.upsamplers.0.conv": "output_blocks.5.2.conv",
            "up_blocks.2.resnets.2.conv1": "output_blocks.8.0.in_layers.2",
            "conv_out": "out.2",
        ]
        for (diffusers, sgm) in expected {
            #expect(names.ldmPath(of: diffusers) == sgm, "\(diffusers)")
            #expect(names.diffusersPath(ofLDMPath: sgm + ".weight") == diffusers + ".weight", "\(sgm)")
        }
    }

    /// A second-encoder layer for a module that encoder lacks names the file, key and network.
    @Test func unmatchedSecondEncoderLayerIsNamed() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let stem = "lora_te2_text_model_encoder_layers_7_mlp_fc1"
        let path = try LoRAErrorTests.writeLoRA([stem + ".lora_down.weight": [2, 12], stem + ".lora_up.weight": [24, 2]], in: scratch)
        let components = try SingleFileCheckpoint(path: SDXLSingleFileTests.checkpoint).components(configurationFolder: SDXLSingleFileTests.configuration)
        let error = #expect(throws: LoRAError.self) {
            _ = try LoRAWeights(path: path).fused(into: try #require(components.loraTarget(.textEncoder2)))
        }
        if case let .unmatchedModule(file, key, module, target, _)? = error {
            #expect(file == path && key == stem + ".lora_down.weight" && module == "text_model_encoder_layers_7_mlp_fc1" && target == .textEncoder2)
        } else {
            Issue.record("expected unmatchedModule, got \(String(describing: error))")
        }
        // The same file fuses into nothing else: the UNet and the first encoder skip it.
        #expect(try LoRAWeights(path: path).fused(into: try #require(components.loraTarget(.unet))).isEmpty)
    }
}
