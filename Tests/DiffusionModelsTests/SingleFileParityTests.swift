@testable import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// Single-file (LDM layout) checkpoints against diffusers 0.42.1 (torch 2.13.0 CPU, float32):
/// Tests/Fixtures/single-file/ (Tools/make_single_file_fixture.py) holds tiny SD1 and SD2 files
/// written from diffusers twins and verified with diffusers' own single-file converters and
/// `from_single_file`, and the twins' outputs on fixed inputs. We load the files through
/// ``SingleFileCheckpoint`` with the twins' configurations and compare parameters (exact; SD1
/// against the unrounded fixtures up to fp16 rounding) and outputs (max-abs 1e-5, seen up to 3.8e-6; the networks
/// outputs are of order 1).
@Suite struct SingleFileParityTests {
    static let sd1 = Fixtures.file("single-file", "sd1.safetensors")
    static let sd2 = Fixtures.file("single-file", "sd2.safetensors")
    static let sd1Configuration = Fixtures.file("single-file", "sd1-config")
    static let sd2Twin = Fixtures.file("single-file", "sd2-twin")
    static let tolerance: Float = 1e-5

    @Test func detectsTheArchitectures() throws {
        #expect(try SingleFileCheckpoint(path: Self.sd1).architecture == .stableDiffusion1)
        #expect(try SingleFileCheckpoint(path: Self.sd2).architecture == .stableDiffusion2)
    }

    /// Every converted tensor of sd2.safetensors equals the twin's tensor under the same key
    /// (F32 and BF16 stored; the twin's VAE holds the bf16 values), and no key is left over.
    @Test func sd2ParametersEqualTheTwin() throws {
        let checkpoint = try SingleFileCheckpoint(path: Self.sd2)
        let configurations = try SingleFileConfigurations.folder(Self.sd2Twin, architecture: .stableDiffusion2)
        let conversion = try SingleFileConversion(file: checkpoint.file, architecture: .stableDiffusion2, configurations: configurations)
        for (weights, twinFile) in [(conversion.unet, "unet/diffusion_pytorch_model.safetensors"),
                                    (conversion.textEncoder, "text_encoder/model.safetensors"),
                                    (conversion.autoencoder, "vae/diffusion_pytorch_model.safetensors")] {
            let twin = try SafeTensorsFile(path: Self.sd2Twin + "/" + twinFile)
            let twinKeys = Set(twin.keys.map { weights.name.hasSuffix("(text_encoder)") && !$0.hasPrefix("text_model.") ? "text_model." + $0 : $0 })
            #expect(Set(weights.tensors.keys) == twinKeys, "\(weights.name)")
            for key in twin.keys {
                let converted = try weights.tensor(twinKeys.contains(key) ? key : "text_model." + key)
                let expected = try twin.tensor(key)
                #expect(converted.shape == expected.shape && converted.scalars == expected.scalars, "\(key)")
            }
        }
    }

    /// sd1.safetensors stores the unet-sd1, clip-quick-gelu and vae fixtures in F16: every
    /// converted tensor is the fixture's tensor up to fp16 rounding (half an ulp, 2^-11 relative).
    @Test func sd1ParametersAreTheFixturesInHalfPrecision() throws {
        let checkpoint = try SingleFileCheckpoint(path: Self.sd1)
        let configurations = try SingleFileConfigurations.folder(Self.sd1Configuration, architecture: .stableDiffusion1)
        let conversion = try SingleFileConversion(file: checkpoint.file, architecture: .stableDiffusion1, configurations: configurations)
        for (weights, twinPath, prefix) in [(conversion.unet, Fixtures.file("unet-sd1", "diffusion_pytorch_model.safetensors"), ""),
                                            (conversion.textEncoder, Fixtures.file("clip-quick-gelu", "model.safetensors"), "text_model."),
                                            (conversion.autoencoder, Fixtures.file("vae", "diffusion_pytorch_model.safetensors"), "")] {
            let twin = try SafeTensorsFile(path: twinPath)
            let names = twin.keys.map { $0.hasPrefix(prefix) ? $0 : prefix + $0 }
            #expect(Set(weights.tensors.keys) == Set(names), "\(weights.name)")
            for (key, name) in zip(twin.keys, names) {
                let converted = try weights.tensor(name), expected = try twin.tensor(key)
                #expect(converted.shape == expected.shape, "\(key)")
                let worst = zip(converted.scalars, expected.scalars).map { abs($0 - $1) - abs($1) * 0x1p-11 - 0x1p-25 }.max() ?? 0
                #expect(worst <= 0, "\(key): beyond fp16 rounding by \(worst)")
            }
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let file: String
        let configuration: String
        var testDescription: String { name }
    }

    static let cases = [Case(name: "sd1", file: sd1, configuration: sd1Configuration),
                        Case(name: "sd2", file: sd2, configuration: sd2Twin)]

    /// UNet, text encoder and VAE of the loaded file against the twin's diffusers outputs.
    @Test(arguments: cases) func outputsMatchDiffusers(_ testCase: Case) throws {
        let model = try SingleFileCheckpoint(path: testCase.file).load(configurationFolder: testCase.configuration, loras: [])
        let reference = try SafeTensorsFile(path: Fixtures.file("single-file", "\(testCase.name)-reference.safetensors"))
        for (name, actual) in try Self.run(model, reference: reference) {
            let comparison = Comparison(actual, try reference.tensor("outputs/" + name))
            #expect(comparison.maximumAbsoluteError < Self.tolerance, "\(testCase.name) \(name): \(comparison)")
        }
    }

    /// The SD2 file and its diffusers-folder twin load into networks that give identical outputs.
    @Test func sd2OutputsEqualTheTwinFolder() throws {
        let model = try SingleFileCheckpoint(path: Self.sd2).load(configurationFolder: Self.sd2Twin, loras: [])
        let twin = SingleFileModel(architecture: .stableDiffusion2, unet: try UNet2DConditionModel(folder: Self.sd2Twin),
                                   textEncoder: try CLIPTextModel(folder: Self.sd2Twin), textEncoder2: nil, autoencoder: try AutoencoderKL(folder: Self.sd2Twin),
                                   schedulerConfigurationJSON: Data())
        let reference = try SafeTensorsFile(path: Fixtures.file("single-file", "sd2-reference.safetensors"))
        let fromFile = try Self.run(model, reference: reference), fromTwin = try Self.run(twin, reference: reference)
        for (name, actual) in fromFile {
            #expect(actual.scalars == fromTwin[name]?.scalars, "\(name)")
        }
        #expect(String(decoding: model.schedulerConfigurationJSON, as: UTF8.self).contains("v_prediction"))
        #expect(model.tokenizerPadToken == "!")
    }

    /// The five outputs of the fixture (`unet/sample`, `text_encoder/last_hidden_state`,
    /// `text_encoder/pooler_output`, `vae/latent_dist_mean`, `vae/sample`) on its inputs.
    static func run(_ model: SingleFileModel, reference: SafeTensorsFile) throws -> [String: Tensor] {
        let ids = try reference.integerTensor("inputs/input_ids")
        let length = ids.shape[1]
        let rows = (0..<ids.shape[0]).map { row in ids.values[(row * length)..<((row + 1) * length)].map { Int($0) } }
        let encoded = try model.textEncoder(inputIDs: rows)
        let timesteps = try reference.tensor("inputs/timestep").scalars
        return [
            "unet/sample": try model.unet(sample: try reference.tensor("inputs/sample"), timesteps: timesteps,
                                          encoderHiddenStates: try reference.tensor("inputs/encoder_hidden_states")),
            "text_encoder/last_hidden_state": encoded.lastHiddenState,
            "text_encoder/pooler_output": encoded.pooledOutput,
            "vae/latent_dist_mean": try model.autoencoder.encode(try reference.tensor("inputs/images")),
            "vae/sample": try model.autoencoder.decode(try reference.tensor("inputs/latents")),
        ]
    }
}
