@testable import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// SD3/SD3.5 single files (original MMDiT layout) against diffusers 0.42.1: the tiny
/// Tests/Fixtures/sd3-single-file/ files (Tools/make_sd3_single_file_fixtures.py), which
/// diffusers' `from_single_file` loads back to exactly the source networks; the reference
/// outputs are those of the networks diffusers loaded from the files. Tolerance 1e-4.
@Suite struct SD3SingleFileTests {
    static let folder = Fixtures.folder("sd3-single-file")
    static let sd3 = Fixtures.file("sd3-single-file", "sd3.safetensors")
    static let sd3Configuration = Fixtures.file("sd3-single-file", "sd3-config")
    static let sd3Twin = Fixtures.file("sd3-single-file", "sd3-twin")
    static let sd35 = Fixtures.file("sd3-single-file", "sd35-medium.safetensors")
    static let sd35Configuration = Fixtures.file("sd3-single-file", "sd35-medium-config")
    static let tolerance: Float = 1e-4

    static func reference() throws -> SafeTensorsFile {
        try SafeTensorsFile(path: Fixtures.file("sd3-single-file", "reference.safetensors"))
    }

    static func runTransformer(_ transformer: SD3Transformer2DModel) throws -> Tensor {
        let reference = try reference()
        return try transformer(hiddenStates: reference.tensor("inputs.hidden_states"),
                               encoderHiddenStates: reference.tensor("inputs.encoder_hidden_states"),
                               pooledProjections: reference.tensor("inputs.pooled_projections"),
                               timesteps: reference.tensor("inputs.timestep").scalars)
    }

    @Test func layoutIsInferredAsDiffusersDoes() throws {
        let sd3 = try SD3SingleFileCheckpoint(path: Self.sd3)
        #expect(sd3.publishedModel == nil && sd3.hasTextEncoder && sd3.hasTextEncoder2 && sd3.hasAutoencoder && sd3.hasT5)
        #expect(sd3.layout.prefix == "model.diffusion_model." && sd3.layout.layerCount == 2)
        #expect(sd3.layout.dualAttentionLayers.isEmpty && !sd3.layout.hasQueryKeyNormalization)
        #expect(sd3.layout.captionProjectionDimension == 16 && sd3.layout.jointAttentionDimension == 24)
        #expect(sd3.layout.pooledProjectionDimension == 12 && sd3.layout.positionEmbeddingMaximumSize == 10)
        #expect(sd3.layout.patchSize == 2 && sd3.layout.inChannels == 16 && sd3.layout.outChannels == 16)
        let sd35 = try SD3SingleFileCheckpoint(path: Self.sd35)
        #expect(!sd35.hasTextEncoder && !sd35.hasTextEncoder2 && sd35.hasAutoencoder && !sd35.hasT5)
        #expect(sd35.layout.layerCount == 3 && sd35.layout.dualAttentionLayers == [0, 2] && sd35.layout.hasQueryKeyNormalization)
        #expect(sd35.layout.positionEmbeddingMaximumSize == 12)
        #expect(SD3SingleFileCheckpoint.holdsSD3(path: Self.sd3) && !SD3SingleFileCheckpoint.holdsSD3(path: SingleFileParityTests.sd1))
    }

    /// The converted tensors are, key for key, the weights diffusers saved after loading the file
    /// (sd3-twin/, `from_single_file` + `save_pretrained`): qkv thirds, swapped adaLN halves of the
    /// last block and the final norm, CLIP-L's identity projection.
    @Test func convertedWeightsEqualDiffusersConversion() throws {
        let checkpoint = try SD3SingleFileCheckpoint(path: Self.sd3)
        let conversion = try checkpoint.prepare(configurationFolder: Self.sd3Configuration).conversion
        let networks: [(String, ConvertedWeights?, String)] = [
            ("transformer", conversion.transformer, "diffusion_pytorch_model"), ("text_encoder", conversion.textEncoder, "model"),
            ("text_encoder_2", conversion.textEncoder2, "model"), ("vae", conversion.autoencoder, "diffusion_pytorch_model")]
        for (name, weights, base) in networks {
            let weights = try #require(weights, "\(name)")
            let twin = try SafeTensorsFile(path: Self.sd3Twin + "/\(name)/\(base).safetensors")
            let expected = Set(twin.keys)
            #expect(Set(weights.shapes.keys) == expected, "\(name): \(Set(weights.shapes.keys).symmetricDifference(expected).sorted().prefix(6))")
            for key in twin.keys {
                let actual = try weights.tensor(key), reference = try twin.tensor(key)
                #expect(actual.shape == reference.shape && actual.scalars == reference.scalars, "\(name) \(key)")
            }
        }
        #expect(conversion.transformer.sourceKey(of: "transformer_blocks.1.attn.add_k_proj.weight")
                == "model.diffusion_model.joint_blocks.1.context_block.attn.qkv.weight")
        #expect(conversion.transformer.sourceKey(of: "norm_out.linear.weight") == "model.diffusion_model.final_layer.adaLN_modulation.1.weight")
    }

    @Test func sd3TransformerMatchesDiffusers() throws {
        let transformer = try SD3SingleFileCheckpoint(path: Self.sd3).loadTransformer(configurationFolder: Self.sd3Configuration, loras: [])
        let comparison = Comparison(try Self.runTransformer(transformer), try Self.reference().tensor("sd3.sample"))
        #expect(comparison.maximumAbsoluteError <= Self.tolerance, "\(comparison)")
    }

    /// SD3.5 Medium's layout: dual attention (`attn2`, also in the context-only last block) and
    /// RMS qk norm (`ln_q`/`ln_k`).
    @Test func sd35MediumTransformerMatchesDiffusers() throws {
        let transformer = try SD3SingleFileCheckpoint(path: Self.sd35).loadTransformer(configurationFolder: Self.sd35Configuration, loras: [])
        #expect(transformer.configuration.dualAttentionLayers == [0, 2] && transformer.configuration.queryKeyNormalization == .rmsNorm)
        let comparison = Comparison(try Self.runTransformer(transformer), try Self.reference().tensor("sd35.sample"))
        #expect(comparison.maximumAbsoluteError <= Self.tolerance, "\(comparison)")
    }

    /// The text encoders and the VAE from the file: CLIP-L's `text_embeds` through diffusers'
    /// identity projection (not the file's `text_projection.weight`), CLIP-G's through its own.
    @Test func textEncodersAndVAEMatchDiffusers() throws {
        let model = try SD3SingleFileCheckpoint(path: Self.sd3).load(configurationFolder: Self.sd3Configuration, loras: [])
        let reference = try Self.reference()
        let ids = [try reference.tensor("input_ids").scalars.map { Int($0) }]
        for (name, encoder) in [("clip_l", model.textEncoder), ("clip_g", model.textEncoder2)] {
            let output = try encoder(inputIDs: ids)
            let penultimate = Comparison(output.penultimateHiddenState, try reference.tensor(name + ".penultimate"))
            let embeds = Comparison(try #require(output.textEmbeds), try reference.tensor(name + ".text_embeds"))
            #expect(penultimate.maximumAbsoluteError <= Self.tolerance && embeds.maximumAbsoluteError <= Self.tolerance,
                    "\(name): penultimate \(penultimate), text_embeds \(embeds)")
        }
        let decoded = Comparison(try model.autoencoder.decode(reference.tensor("vae.latents")), try reference.tensor("vae.sample"))
        let encoded = Comparison(try model.autoencoder.encode(reference.tensor("vae.images")), try reference.tensor("vae.mean"))
        #expect(decoded.maximumAbsoluteError <= Self.tolerance && encoded.maximumAbsoluteError <= Self.tolerance, "decode \(decoded), encode \(encoded)")
        #expect(model.autoencoder.configuration.latentChannels == 16 && model.autoencoder.configuration.shiftFactor == 0.0609)
        #expect(model.hasT5 && String(decoding: model.schedulerConfigurationJSON, as: UTF8.self).contains("FlowMatchEulerDiscreteScheduler"))
    }

    /// A file without text encoders takes them (config and weights) from the configuration folder.
    @Test func missingTextEncodersComeFromTheConfigurationFolder() throws {
        let model = try SD3SingleFileCheckpoint(path: Self.sd35).load(configurationFolder: Self.sd35Configuration, loras: [])
        let folderEncoder = try CLIPTextModel(folder: Self.sd35Configuration, subfolder: "text_encoder")
        let ids = [[0, 40, 83, 2]]
        #expect(try model.textEncoder(inputIDs: ids).textEmbeds?.scalars == folderEncoder(inputIDs: ids).textEmbeds?.scalars)
        let comparison = Comparison(try Self.runTransformer(model.transformer), try Self.reference().tensor("sd35.sample"))
        #expect(comparison.maximumAbsoluteError <= Self.tolerance, "\(comparison)")
    }
}
