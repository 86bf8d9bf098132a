import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// SD3's VAE: an `AutoencoderKL` with 16 latent channels and no quant convolutions, whose
/// `scaling_factor` 1.5305 and `shift_factor` 0.0609 the pipelines apply around it. Raw module
/// parity is NetworkParityTests (`sd3/vae-sd3`); here the configuration and the pipeline
/// conversions against `StableDiffusion3Pipeline`'s (diffusers 0.42.1, tolerance 1e-4).
@Suite struct SD3VAETests {
    static let fixture = "sd3/vae-sd3"

    @Test func configurationReadsTheLatentLayout() throws {
        let configuration = try AutoencoderKLConfiguration.load(path: Fixtures.file(Self.fixture, "config.json"))
        #expect(configuration.latentChannels == 16 && !configuration.useQuantConv && !configuration.usePostQuantConv)
        #expect(configuration.scalingFactor == 1.5305 && configuration.shiftFactor == 0.0609)
        // SD1.x/SDXL files have no shift_factor (or null): 0.
        #expect(try AutoencoderKLConfiguration.load(path: Fixtures.file("vae", "config.json")).shiftFactor == 0)
        #expect(try AutoencoderKLConfiguration.load(path: Fixtures.file("sdxl/vae-sdxl", "config.json")).shiftFactor == 0)
    }

    /// decode(latents / scaling + shift) and (mean - shift) * scaling, as diffusers' SD3 pipelines.
    @Test func pipelineConversionsMatchDiffusers() throws {
        let model = try AutoencoderKL(folder: Fixtures.folder(Self.fixture))
        let inputs = try SafeTensorsFile(path: Fixtures.file(Self.fixture, "inputs.safetensors"))
        let outputs = try SafeTensorsFile(path: Fixtures.file(Self.fixture, "outputs.safetensors"))
        let decoded = try model.decode(model.configuration.decoderLatents(try inputs.tensor("latents")))
        let decodedComparison = Comparison(decoded, try outputs.tensor("pipeline_decoded"))
        let encoded = model.configuration.pipelineLatents(try model.encode(try inputs.tensor("images")))
        let encodedComparison = Comparison(encoded, try outputs.tensor("pipeline_encoded"))
        print("sd3 vae pipeline decode \(decodedComparison), encode \(encodedComparison)")
        #expect(decodedComparison.maximumAbsoluteError < 1e-4 && encodedComparison.maximumAbsoluteError < 1e-4)
        // The conversions invert each other up to float32 round-off.
        let latents = try inputs.tensor("latents")
        #expect(Comparison(model.configuration.pipelineLatents(model.configuration.decoderLatents(latents)), latents).maximumAbsoluteError < 1e-6)
    }

    /// Without a shift the conversions are exactly the former z * scaling and z * (1 / scaling).
    @Test func withoutShiftTheConversionsAreUnchanged() throws {
        let configuration = try AutoencoderKLConfiguration.load(path: Fixtures.file("vae", "config.json"))
        let latents = patternTensor([1, 4, 3, 5])
        #expect(configuration.pipelineLatents(latents).scalars == (latents * configuration.scalingFactor).scalars)
        #expect(configuration.decoderLatents(latents).scalars == (latents * (1 / configuration.scalingFactor)).scalars)
    }

    @Test func invalidFactorsAreNamed() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(Self.fixture, as: "vae")
        try rewriteJSON(folder + "/config.json") { $0["scaling_factor"] = 0 }
        #expect(throws: ModelLoadingError.invalidConfiguration(file: folder + "/config.json", field: "scaling_factor",
                                                               reason: "must not be 0 (latents are divided by it)")) {
            _ = try AutoencoderKL(folder: folder)
        }
        try rewriteJSON(folder + "/config.json") { $0["scaling_factor"] = 1.5305; $0["shift_factor"] = "0.06" }
        let typed = #expect(throws: ModelLoadingError.self) { _ = try AutoencoderKL(folder: folder) }
        #expect(String(describing: typed).contains("shift_factor"))
    }
}
