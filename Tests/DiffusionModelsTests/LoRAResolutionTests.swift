import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// How LoRA module names resolve to real modules, and the fusion formula itself on single
/// weights, checked against W + scale * alpha / rank * up @ down computed here in Double.
@Suite struct LoRAResolutionTests {
    /// Original Stable Diffusion 1.5 (LDM) names -> diffusers paths, from the SD1.5 UNet config
    /// (layers_per_block 2; down: 3 x CrossAttnDownBlock2D + DownBlock2D; up: UpBlock2D + 3 x
    /// CrossAttnUpBlock2D), as in diffusers' convert_original_stable_diffusion_to_diffusers.py.
    @Test func ldmNamesOfStableDiffusion15() throws {
        let names = LDMUNetModuleNames(configuration: try ReferenceConfigurations.stableDiffusion15UNet())
        let expected: [(diffusers: String, ldm: String)] = [
            ("conv_in", "input_blocks.0.0"),
            ("time_embedding.linear_1", "time_embed.0"),
            ("time_embedding.linear_2", "time_embed.2"),
            ("down_blocks.0.resnets.0.conv1", "input_blocks.1.0.in_layers.2"),
            ("down_blocks.0.attentions.1.proj_in", "input_blocks.2.1.proj_in"),
            ("down_blocks.0.downsamplers.0.conv", "input_blocks.3.0.op"),
            ("down_blocks.1.resnets.0.conv_shortcut", "input_blocks.4.0.skip_connection"),
            ("down_blocks.2.attentions.0.transformer_blocks.0.attn2.to_k", "input_blocks.7.1.transformer_blocks.0.attn2.to_k"),
            ("down_blocks.2.downsamplers.0.conv", "input_blocks.9.0.op"),
            ("down_blocks.3.resnets.1.time_emb_proj", "input_blocks.11.0.emb_layers.1"),
            ("mid_block.resnets.0.conv2", "middle_block.0.out_layers.3"),
            ("mid_block.attentions.0.proj_out", "middle_block.1.proj_out"),
            ("mid_block.resnets.1.conv1", "middle_block.2.in_layers.2"),
            ("up_blocks.0.resnets.0.conv1", "output_blocks.0.0.in_layers.2"),
            ("up_blocks.0.upsamplers.0.conv", "output_blocks.2.1.conv"),
            ("up_blocks.1.resnets.0.conv_shortcut", "output_blocks.3.0.skip_connection"),
            ("up_blocks.1.attentions.2.transformer_blocks.0.ff.net.0.proj", "output_blocks.5.1.transformer_blocks.0.ff.net.0.proj"),
            ("up_blocks.1.upsamplers.0.conv", "output_blocks.5.2.conv"),
            ("up_blocks.2.upsamplers.0.conv", "output_blocks.8.2.conv"),
            ("up_blocks.3.attentions.2.proj_out", "output_blocks.11.1.proj_out"),
            ("conv_norm_out", "out.0"),
            ("conv_out", "out.2"),
        ]
        for (diffusers, ldm) in expected {
            #expect(names.ldmPath(of: diffusers) == ldm, "\(diffusers)")
        }
        #expect(names.ldmPath(of: "up_blocks.3.upsamplers.0.conv") == nil)
        #expect(names.ldmPath(of: "down_blocks.0.resnets.0.unknown") == nil)
    }

    /// W + factor * up @ down in Double, flattened like the weight.
    static func expectedWeight(_ weight: Tensor, down: Tensor, up: Tensor, factor: Double) -> [Float] {
        let outputs = weight.shape[0], inputs = weight.count / outputs, rank = down.shape[0]
        let (upValues, downValues, weightValues) = (up.scalars, down.scalars, weight.scalars)
        return (0..<weight.count).map { index in
            let row = index / inputs, column = index % inputs
            var sum = 0.0
            for r in 0..<rank { sum += Double(upValues[row * rank + r]) * Double(downValues[r * inputs + column]) }
            return Float(Double(weightValues[index]) + factor * sum)
        }
    }

    static func maximumDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// kohya with no `.alpha` (alpha = rank), a [r, in] LoRA on a 1x1 convolution, an LDM name and
    /// a 3x3 convolution LoRA; only the adapted weights are overridden.
    @Test func fusionFormulaOnSingleWeights() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = try LoRAErrorTests.writeLoRA([
            "lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight": [3, 32],          // 1x1 conv, linear-shaped
            "lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight": [32, 3],
            "lora_unet_input_blocks_3_0_op.lora_down.weight": [2, 32, 3, 3],                   // downsampler, LDM name
            "lora_unet_input_blocks_3_0_op.lora_up.weight": [32, 2, 1, 1],
            "lora_unet_input_blocks_3_0_op.alpha": [],
        ], in: scratch)
        let lora = try LoRAWeights(path: path)
        let alpha = try #require(lora.layers.first { $0.alphaKey != nil }?.alpha)
        let network = try LoRAFusionTarget.unet(folder: Fixtures.folder("unet-sd1"))
        let overrides = try lora.fused(into: network, scale: 0.6)
        #expect(Set(overrides.keys) == ["down_blocks.0.attentions.0.proj_in.weight", "down_blocks.0.downsamplers.0.conv.weight"])
        let base = try SafeTensorsFile(path: Fixtures.file("unet-sd1", "diffusion_pytorch_model.safetensors"))
        for layer in lora.layers {
            let weightKey = layer.module.hasPrefix("input_blocks") ? "down_blocks.0.downsamplers.0.conv.weight" : "down_blocks.0.attentions.0.proj_in.weight"
            let factor = 0.6 * Double(layer.alpha ?? Float(layer.rank)) / Double(layer.rank)
            let expected = Self.expectedWeight(try base.tensor(weightKey), down: layer.down, up: layer.up, factor: factor)
            let actual = try #require(overrides[weightKey])
            #expect(actual.shape == (try base.entry(weightKey)).shape)
            let difference = Self.maximumDifference(actual.scalars, expected)
            print("fusion formula \(weightKey): max-abs \(difference) (factor \(factor), alpha \(alpha))")
            #expect(difference < 1e-5, "\(weightKey)")
        }
    }

    /// Text-encoder modules resolve with and without `text_model.`, in both spellings, and
    /// stacking on existing overrides adds to them.
    @Test func textEncoderSpellingsAndStacking() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = try LoRAErrorTests.writeLoRA([
            "lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight": [2, 32],
            "lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight": [32, 2],
            "lora_te_encoder_layers_1_mlp_fc1.lora_down.weight": [2, 32],
            "lora_te_encoder_layers_1_mlp_fc1.lora_up.weight": [37, 2],
            "text_encoder.text_model.encoder.layers.1.mlp.fc2.lora_A.weight": [2, 37],
            "text_encoder.text_model.encoder.layers.1.mlp.fc2.lora_B.weight": [32, 2],
            "text_encoder.encoder.layers.0.self_attn.to_out_lora.down.weight": [2, 32],
            "text_encoder.encoder.layers.0.self_attn.to_out_lora.up.weight": [32, 2],
        ], in: scratch)
        let lora = try LoRAWeights(path: path)
        #expect(lora.layers(for: .unet).isEmpty)
        let network = try LoRAFusionTarget.textEncoder(folder: Fixtures.folder("clip-quick-gelu"))
        let once = try lora.fused(into: network, scale: 1)
        #expect(Set(once.keys) == ["encoder.layers.0.self_attn.q_proj.weight", "encoder.layers.1.mlp.fc1.weight",
                                   "encoder.layers.1.mlp.fc2.weight", "encoder.layers.0.self_attn.out_proj.weight"])
        // Fusing onto the overrides at scale 1 again equals fusing once at scale 2.
        let twice = try lora.fused(into: network, scale: 1, onto: once)
        let double = try lora.fused(into: network, scale: 2)
        for key in double.keys {
            let difference = Self.maximumDifference(try #require(twice[key]).scalars, try #require(double[key]).scalars)
            #expect(difference < 1e-5, "\(key): \(difference)")
        }
        // The overrides handed in are not changed.
        let again = try lora.fused(into: network, scale: 1)
        for key in once.keys { #expect(once[key]?.scalars == again[key]?.scalars) }
    }

    /// A UNet LoRA fused into the text encoder is skipped, not an error (a file may hold both).
    @Test func layersForTheOtherNetworkAreSkipped() throws {
        let lora = try LoRAWeights(path: Fixtures.file("lora/kohya-diffusers", "lora.safetensors"))
        #expect(lora.layers(for: .unet).count == 22 && lora.layers(for: .textEncoder).count == 6)
        let unetOnly = try LoRAFusionTarget.unet(folder: Fixtures.folder("unet-sd1"))
        let overrides = try lora.fused(into: unetOnly)
        #expect(overrides.count == 22)
        #expect(overrides.keys.allSatisfy { !$0.hasPrefix("encoder.") })
    }
}
