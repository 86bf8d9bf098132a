import DiffusionModels
import Foundation
import SemanticDraw
import TensorRuntime
import Testing

/// `ModelLoader` on SD3 single files (Tests/Fixtures/sd3-single-file/): the family is detected
/// from the file, `--config` may be an SD3 folder (`transformer/config.json`), and the loaded
/// model equals the pipeline folder diffusers made of the file (sd3-twin/).
@Suite struct SD3SingleFileLoaderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sd3-single-file").path

    static func probe(_ transformer: SD3Transformer2DModel) throws -> [Float] {
        var generator = TorchGenerator(seed: 5)
        let configuration = transformer.configuration
        let hidden = generator.normal(shape: [1, configuration.inChannels, 8, 8])
        let context = generator.normal(shape: [1, 6, configuration.jointAttentionDimension])
        let pooled = generator.normal(shape: [1, configuration.pooledProjectionDimension])
        return try transformer(hiddenStates: hidden, encoderHiddenStates: context, pooledProjections: pooled, timesteps: [500]).scalars
    }

    @Test func singleFileLoadsAsItsDiffusersTwin() async throws {
        let file = Self.fixtures + "/sd3.safetensors"
        #expect(ModelFamily.detect(model: file) == .stableDiffusion3)
        #expect(ModelFamily.detect(model: Self.fixtures + "/sd35-medium.safetensors") == .stableDiffusion3)
        let loader = ModelLoader(hub: nil)
        let files = try await loader.fetch(ModelRequest(model: file, configurationFolder: Self.fixtures + "/sd3-config"))
        #expect(files.base == .singleFile(path: file, configurationFolder: Self.fixtures + "/sd3-config"))
        let model = try loader.build(files)
        let twin = try loader.build(try await loader.fetch(ModelRequest(model: Self.fixtures + "/sd3-twin")))
        let transformer = try #require(model.components.denoiser as? SD3Transformer2DModel)
        let twinTransformer = try #require(twin.components.denoiser as? SD3Transformer2DModel)
        #expect(try Self.probe(transformer) == Self.probe(twinTransformer))
        let encoder = model.components.promptEncoder, twinEncoder = twin.components.promptEncoder
        #expect(encoder.sd3Layout != nil && encoder.second != nil)
        let ids = [[0, 40, 83, 70, 2]]
        #expect(try encoder.textEncoder(inputIDs: ids).textEmbeds?.scalars == twinEncoder.textEncoder(inputIDs: ids).textEmbeds?.scalars,
                "CLIP-L with diffusers' identity projection")
        #expect(try encoder.second?.textEncoder(inputIDs: ids).textEmbeds?.scalars == twinEncoder.second?.textEncoder(inputIDs: ids).textEmbeds?.scalars)
        #expect(encoder.second?.tokenizer?.padTokenId == twinEncoder.second?.tokenizer?.padTokenId)
    }
}
