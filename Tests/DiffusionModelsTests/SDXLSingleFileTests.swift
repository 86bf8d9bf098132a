@testable import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// SDXL single-file checkpoints (original SGM layout) against diffusers 0.42.1: the tiny
/// Tests/Fixtures/sdxl/sdxl.safetensors (Tools/make_sdxl_layout_fixtures.py) and diffusers' own
/// conversion of it (`sdxl-converted.safetensors`, its single-file converters with the explicit
/// configs of `sdxl-config/`). Keys, shapes and values must agree exactly (the conversion only
/// renames, splits, reshapes and transposes; F16 VAE tensors widen exactly).
@Suite struct SDXLSingleFileTests {
    static let checkpoint = Fixtures.file("sdxl", "sdxl.safetensors")
    static let configuration = Fixtures.file("sdxl", "sdxl-config")

    @Test func detectsSDXL() throws {
        let checkpoint = try SingleFileCheckpoint(path: Self.checkpoint)
        #expect(checkpoint.architecture == .stableDiffusionXL)
        #expect(checkpoint.architecture.displayName == "Stable Diffusion XL 1.0")
    }

    @Test func convertedWeightsEqualDiffusersConversion() throws {
        let components = try SingleFileCheckpoint(path: Self.checkpoint).components(configurationFolder: Self.configuration)
        let reference = try SafeTensorsFile(path: Fixtures.file("sdxl", "sdxl-converted.safetensors"))
        let networks: [(String, ConvertedWeights?)] = [("unet", components.unet), ("text_encoder", components.textEncoder),
                                                       ("text_encoder_2", components.textEncoder2), ("vae", components.autoencoder)]
        for (name, weights) in networks {
            let weights = try #require(weights, "\(name)")
            let expectedKeys = Set(reference.keys.filter { $0.hasPrefix(name + "/") }.map { String($0.dropFirst(name.count + 1)) })
            #expect(!expectedKeys.isEmpty)
            #expect(Set(weights.shapes.keys) == expectedKeys, "\(name): \(Set(weights.shapes.keys).symmetricDifference(expectedKeys).sorted().prefix(6))")
            for key in expectedKeys.sorted() {
                let expected = try reference.tensor(name + "/" + key)
                let actual = try weights.tensor(key)
                #expect(weights.shapes[key] == expected.shape && actual.shape == expected.shape, "\(name) \(key)")
                if actual.shape == expected.shape {
                    #expect(Comparison(actual, expected).maximumAbsoluteError <= 1e-6, "\(name) \(key)")
                }
            }
        }
        #expect(components.unet.sourceKey(of: "add_embedding.linear_1.weight") == "model.diffusion_model.label_emb.0.0.weight")
        #expect(components.textEncoder2?.sourceKey(of: "text_projection.weight") == "conditioner.embedders.1.model.text_projection")
    }

    @Test func configurationsComeFromTheFolder() throws {
        let components = try SingleFileCheckpoint(path: Self.checkpoint).components(configurationFolder: Self.configuration)
        #expect(components.architecture == .stableDiffusionXL)
        #expect(components.unetConfiguration.blockOutChannels == [8, 16, 16])
        #expect(components.unetConfiguration.transformerLayersPerBlock == [1, 1, 2])
        #expect(components.textEncoderConfiguration.hiddenSize == 8 && components.textEncoder2Configuration?.hiddenSize == 12)
        #expect(components.textEncoder2Configuration?.hiddenLayerCount == 3)
        #expect(String(decoding: components.configurationJSON["unet"] ?? Data(), as: UTF8.self).contains("text_time"))
        #expect(Set(components.configurationJSON.keys) == ["unet", "text_encoder", "text_encoder_2", "vae"])
        #expect(String(decoding: components.schedulerConfigurationJSON, as: UTF8.self).contains("EulerDiscreteScheduler"))
        #expect(components.loraTarget(.textEncoder2) != nil)
    }

    /// The built-in SDXL base configuration decodes (its UNet block layout without the
    /// addition embedding where ``UNetConfiguration`` does not accept "text_time" yet); the tiny
    /// file does not fit it and is told to pass a configuration folder.
    @Test func builtInConfigurationIsSDXLBase() throws {
        let builtIn = try SingleFileConfigurations.builtIn(.stableDiffusionXL)
        #expect(builtIn.unet.blockOutChannels == [320, 640, 1280] && builtIn.unet.transformerLayersPerBlock == [1, 2, 10])
        #expect(builtIn.unet.crossAttentionDimension == 2048 && builtIn.unet.useLinearProjection)
        #expect(builtIn.textEncoder.hiddenSize == 768 && builtIn.textEncoder2?.hiddenSize == 1280 && builtIn.textEncoder2?.hiddenLayerCount == 32)
        #expect(builtIn.autoencoder.scalingFactor == 0.13025)
        let error = #expect(throws: SingleFileError.self) {
            _ = try SingleFileCheckpoint(path: Self.checkpoint).components(configurationFolder: nil)
        }
        #expect("\(String(describing: error))".contains("second text encoder width 12, expected 1280"))
    }

    /// The file loads into SDXL networks: the UNet with its `text_time` embedding, both text
    /// encoders (the second with its projection), the VAE; each network's weights are the
    /// conversion tested above, so this checks they build.
    @Test func sdxlNetworksAreBuilt() throws {
        let model = try SingleFileCheckpoint(path: Self.checkpoint).load(configurationFolder: Self.configuration, loras: [])
        #expect(model.architecture == .stableDiffusionXL)
        #expect(model.unet.configuration.textTimeEmbedding != nil)
        let second = try #require(model.textEncoder2)
        #expect(second.hasTextProjection && !model.textEncoder.hasTextProjection)
        #expect(model.textEncoder.configuration.hiddenSize + second.configuration.hiddenSize == model.unet.configuration.crossAttentionDimension)
    }

    /// Broken second-encoder tensors and stray conditioner keys name the file and the key.
    @Test func badSecondEncoderTensorsAreNamed() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let source = try SafeTensorsFile(path: Self.checkpoint)
        func write(_ change: (inout [String: SafeTensorsValue]) -> Void) throws -> String {
            var tensors: [String: SafeTensorsValue] = [:]
            for key in source.keys {
                tensors[key] = key.hasSuffix("position_ids") ? .int64(try source.integerTensor(key)) : .float32(try source.tensor(key))
            }
            change(&tensors)
            let path = scratch.file("broken-\(UUID().uuidString).safetensors")
            try SafeTensorsWriter.write(tensors, to: path)
            return path
        }
        let inProjection = "conditioner.embedders.1.model.transformer.resblocks.1.attn.in_proj_weight"
        let path = try write { $0[inProjection] = .float32(Tensor(shape: [35, 12], repeating: 0)) }
        let error = #expect(throws: SingleFileError.self) { _ = try SingleFileCheckpoint(path: path).components(configurationFolder: Self.configuration) }
        #expect(error == .invalidTensor(path: path, key: inProjection, shape: [35, 12],
                                        reason: "is not three stacked q/k/v blocks ([3D, D] weight or [3D] bias)"))
        let projection = "conditioner.embedders.1.model.text_projection"
        let flat = try write { $0[projection] = .float32(Tensor(shape: [144], repeating: 0)) }
        let flatError = #expect(throws: SingleFileError.self) { _ = try SingleFileCheckpoint(path: flat).components(configurationFolder: Self.configuration) }
        #expect("\(String(describing: flatError))".contains(flat) && "\(String(describing: flatError))".contains(projection))
        let stray = "conditioner.embedders.2.model.foo"
        let extra = try write { $0[stray] = .float32(Tensor(shape: [2], repeating: 0)) }
        let strayError = #expect(throws: SingleFileError.self) { _ = try SingleFileCheckpoint(path: extra).components(configurationFolder: Self.configuration) }
        #expect(strayError == .unknownKeys(path: extra, keys: [stray]))
    }
}
