import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// SDXL's text encoders and VAE: `CLIPTextModelWithProjection` (`text_projection`, both key
/// layouts), `text_encoder_2/` of a pipeline folder, the penultimate hidden state, and the VAE's
/// configuration (parity: NetworkParityTests).
@Suite struct SDXLTextEncoderTests {
    static let firstEncoder = "sdxl/text-encoder-1", secondEncoder = "sdxl/text-encoder-2"

    static func inputIDs(_ fixture: String) throws -> [[Int]] {
        let ids = try SafeTensorsFile(path: Fixtures.file(fixture, "inputs.safetensors")).integerTensor("input_ids")
        let length = ids.shape[1]
        return (0..<ids.shape[0]).map { row in ids.values[(row * length)..<((row + 1) * length)].map { Int($0) } }
    }

    static func reference(_ fixture: String, _ name: String) throws -> Tensor {
        try SafeTensorsFile(path: Fixtures.file(fixture, "outputs.safetensors")).tensor(name)
    }

    /// An SDXL-like pipeline folder holding both encoders as `text_encoder/` and `text_encoder_2/`.
    static func pipelineFolder(in scratch: ScratchFolder) throws -> String {
        _ = try scratch.copyFixture(firstEncoder, as: "pipeline/text_encoder")
        _ = try scratch.copyFixture(secondEncoder, as: "pipeline/text_encoder_2")
        return scratch.file("pipeline")
    }

    @Test func theSecondEncoderLoadsFromItsPipelineSubfolder() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let pipeline = try Self.pipelineFolder(in: scratch)
        let second = try CLIPTextModel(folder: pipeline, subfolder: "text_encoder_2")
        #expect(second.hasTextProjection)
        #expect(second.configuration.projectionDimension == 32)
        let output = try second(inputIDs: Self.inputIDs(Self.secondEncoder))
        let textEmbeds = try #require(output.textEmbeds)
        #expect(Comparison(textEmbeds, try Self.reference(Self.secondEncoder, "text_embeds")).maximumAbsoluteError < 1e-4)
        #expect(Comparison(output.penultimateHiddenState, try Self.reference(Self.secondEncoder, "penultimate_hidden_state"))
            .maximumAbsoluteError < 1e-4)

        let first = try CLIPTextModel(folder: pipeline)
        #expect(!first.hasTextProjection)
        let firstOutput = try first(inputIDs: Self.inputIDs(Self.firstEncoder))
        #expect(firstOutput.textEmbeds == nil)
        #expect(Comparison(firstOutput.penultimateHiddenState, try Self.reference(Self.firstEncoder, "penultimate_hidden_state"))
            .maximumAbsoluteError < 1e-4)
    }

    /// transformers 4.x and 5.x save `CLIPTextModelWithProjection` with `text_model.` and a
    /// top-level `text_projection.weight`; a checkpoint without the prefix (as 5.x saves
    /// `CLIPTextModel`) but with the projection loads the same way.
    @Test func theProjectionLoadsWithAndWithoutTheTextModelPrefix() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(Self.secondEncoder, as: "unprefixed")
        let weights = (folder as NSString).appendingPathComponent("model.safetensors")
        var sawPrefix = false
        try rewriteTensors(weights) { tensors in
            #expect(tensors[CLIPTextModel.textProjectionKey] != nil)
            tensors = Dictionary(uniqueKeysWithValues: tensors.map { key, value in
                sawPrefix = sawPrefix || key.hasPrefix("text_model.")
                return (key.hasPrefix("text_model.") ? String(key.dropFirst("text_model.".count)) : key, value)
            })
        }
        #expect(sawPrefix)
        let ids = try Self.inputIDs(Self.secondEncoder)
        let expected = try CLIPTextModel(folder: Fixtures.folder(Self.secondEncoder))(inputIDs: ids)
        let actual = try CLIPTextModel(folder: folder)(inputIDs: ids)
        #expect(actual.textEmbeds?.scalars == expected.textEmbeds?.scalars)
        #expect(actual.lastHiddenState.scalars == expected.lastHiddenState.scalars)
    }

    @Test func aMisShapedProjectionNamesItsKey() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(Self.secondEncoder, as: "wide")
        let weights = (folder as NSString).appendingPathComponent("model.safetensors")
        try rewriteTensors(weights) { $0[CLIPTextModel.textProjectionKey] = .float32(patternTensor([48, 32])) }
        #expect(throws: ModelLoadingError.shapeMismatch(key: "text_projection.weight", expected: [32, 32], found: [48, 32], file: weights)) {
            _ = try CLIPTextModel(folder: folder)
        }
    }

    @Test func loRAsFuseIntoTextEncodersOnly() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let pipeline = try Self.pipelineFolder(in: scratch)
        let error = #expect(throws: ModelLoadingError.self) {
            _ = try CLIPTextModel(folder: pipeline, subfolder: "vae", loras: [LoRAReference(path: scratch.file("some-lora.safetensors"))])
        }
        guard case let .invalidInput(name, reason)? = error else { return }
        #expect(name == "lora" && reason.contains("vae"), "\(reason)")
        // No LoRAs: any subfolder.
        #expect(try CLIPTextModel(folder: pipeline, subfolder: "text_encoder_2", loras: []).hasTextProjection)
    }

    @Test func theSDXLAutoencoderConfigurationLoads() throws {
        let vae = try AutoencoderKL(folder: Fixtures.folder("sdxl/vae-sdxl"))
        #expect(vae.configuration.scalingFactor == 0.13025)
        #expect(vae.configuration.forceUpcast)
        let plain = try AutoencoderKL(folder: Fixtures.folder("vae"))
        #expect(plain.configuration.scalingFactor == 0.18215)
    }
}
