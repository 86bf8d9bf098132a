@testable import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// What a single-file checkpoint that cannot load reports: other architectures and other kinds
/// of files by name, truncation with sizes, unknown keys by name, and shapes that do not fit the
/// built-in SD1.5/SD2.1 configurations with the advice to pass `--config DIR`.
@Suite struct SingleFileErrorTests {
    /// Writes small F32 tensors under `shapes`' keys (values do not matter here).
    static func writeFake(_ shapes: [String: [Int]], to path: String) throws {
        let tensors = shapes.mapValues { SafeTensorsValue.float32(Tensor(shape: $0, repeating: 0.5)) }
        try SafeTensorsWriter.write(tensors, to: path)
    }

    /// The keys detection looks at, with SD1.x names and tiny shapes.
    static let sd1Shapes: [String: [Int]] = [
        "model.diffusion_model.input_blocks.0.0.weight": [8, 4, 3, 3],
        "model.diffusion_model.input_blocks.1.1.proj_in.weight": [8, 8, 1, 1],
        "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": [8, 16],
        "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight": [10, 16],
        "first_stage_model.encoder.conv_in.weight": [4, 3, 3, 3],
    ]

    func expectError(_ shapes: [String: [Int]], containing text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = scratch.file("model.safetensors")
        try Self.writeFake(shapes, to: path)
        do {
            let checkpoint = try SingleFileCheckpoint(path: path)
            _ = try checkpoint.load(configurationFolder: nil, loras: [])
            Issue.record("no error; expected one containing '\(text)'", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func detectsSD1AndSD2FromTheTextEncoderLayout() throws {
        #expect(try SingleFileLayout(shapes: Self.sd1Shapes, path: "x").architecture == .stableDiffusion1)
        var sd2 = Self.sd1Shapes.filter { !$0.key.hasPrefix("cond_stage_model.") }
        sd2["cond_stage_model.model.token_embedding.weight"] = [10, 16]
        sd2["model.diffusion_model.input_blocks.1.1.proj_in.weight"] = [8, 8]
        let layout = try SingleFileLayout(shapes: sd2, path: "x")
        #expect(layout.architecture == .stableDiffusion2)
        #expect(layout.crossAttentionDimension == 16 && layout.usesLinearProjection == true && layout.textHiddenSize == 16)
    }

    @Test func shapesThatAreNotSD15AskForAConfigurationFolder() throws {
        try expectError(Self.sd1Shapes, containing: "cross-attention width 16 (attn2.to_k), expected 768")
        try expectError(Self.sd1Shapes, containing: "--config DIR")
        // The tiny fixture: right names, other shapes.
        #expect(throws: SingleFileError.self) {
            try SingleFileCheckpoint(path: SingleFileParityTests.sd1).load(configurationFolder: nil, loras: [])
        }
    }

    @Test func otherArchitecturesAreNamed() throws {
        var sdxl = Self.sd1Shapes.filter { !$0.key.hasPrefix("cond_stage_model.") }
        sdxl["conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight"] = [10, 16]
        try expectError(sdxl, containing: "has no second text encoder (no keys under 'conditioner.embedders.1.model.')")
        sdxl["conditioner.embedders.1.model.token_embedding.weight"] = [10, 24]
        try expectError(sdxl, containing: "does not match the built-in Stable Diffusion XL 1.0 configuration")
        var refiner = sdxl.filter { !$0.key.hasPrefix("conditioner.") }
        refiner["conditioner.embedders.0.model.token_embedding.weight"] = [10, 16]
        try expectError(refiner, containing: "an SDXL refiner checkpoint")
        try expectError(["model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight": [6, 2]], containing: "SD3 checkpoint")
        var inpainting = Self.sd1Shapes
        inpainting["model.diffusion_model.input_blocks.0.0.weight"] = [8, 9, 3, 3]
        try expectError(inpainting, containing: "inpainting UNet (9 input channels)")
        try expectError(["encoder.conv_in.weight": [4, 3, 3, 3]], containing: "VAE-only file")
        try expectError(Self.sd1Shapes.filter { !$0.key.hasPrefix("first_stage_model.") }, containing: "has no VAE")
    }

    @Test func aLoRAFileIsNotACheckpoint() throws {
        #expect {
            _ = try SingleFileCheckpoint(path: Fixtures.file("lora/peft", "lora.safetensors"))
        } throws: { error in
            "\(error)".contains("a LoRA file, not a checkpoint")
        }
    }

    @Test func truncatedFileGivesExpectedAndActualSize() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let data = try Data(contentsOf: URL(fileURLWithPath: SingleFileParityTests.sd2))
        let path = scratch.file("truncated.safetensors")
        try data.prefix(data.count - 1000).write(to: URL(fileURLWithPath: path))
        #expect(throws: SingleFileError.truncated(path: path, expectedBytes: data.count, actualBytes: data.count - 1000)) {
            try SingleFileCheckpoint(path: path)
        }
    }

    /// Copies sd2.safetensors with `extra` tensors added and loads it with its twin's configuration.
    func loadSD2(adding extra: [String: [Int]]) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        var tensors = try readAllTensors(SingleFileParityTests.sd2)
        for (key, shape) in extra { tensors[key] = .float32(Tensor(shape: shape, repeating: 1)) }
        let path = scratch.file("sd2.safetensors")
        try SafeTensorsWriter.write(tensors, to: path)
        _ = try SingleFileCheckpoint(path: path).load(configurationFolder: SingleFileParityTests.sd2Twin, loras: [])
    }

    @Test func unknownKeysAreNamed() throws {
        #expect {
            try loadSD2(adding: ["cond_stage_model.model.transformer.resblocks.0.attn.extra_weight": [4], "some.other.key": [2]])
        } throws: { error in
            guard case let SingleFileError.unknownKeys(_, keys) = error else { return false }
            return keys == ["cond_stage_model.model.transformer.resblocks.0.attn.extra_weight", "some.other.key"]
        }
        // A key inside the UNet layout that no parameter takes: reported under the file's name for it.
        #expect {
            try loadSD2(adding: ["model.diffusion_model.input_blocks.1.1.extra.weight": [4]])
        } throws: { error in
            guard case let ModelLoadingError.unusedParameters(keys, _) = error else { return false }
            return keys == ["model.diffusion_model.input_blocks.1.1.extra.weight"]
        }
        // Known non-network keys are ignored.
        try loadSD2(adding: ["model_ema.decay": [], "alphas_cumprod": [1000], "cond_stage_model.model.transformer.resblocks.2.ln_1.weight": [32]])
    }

    @Test func builtInConfigurationsDecode() throws {
        for architecture in StableDiffusionArchitecture.allCases {
            let configurations = try SingleFileConfigurations.builtIn(architecture)
            #expect(configurations.isBuiltIn)
            let (crossAttention, layers) = [StableDiffusionArchitecture.stableDiffusion1: (768, 12), .stableDiffusion2: (1024, 23),
                                            .stableDiffusionXL: (2048, 12)][architecture] ?? (0, 0)
            #expect(configurations.unet.crossAttentionDimension == crossAttention)
            #expect(configurations.textEncoder.hiddenLayerCount == layers)
            #expect((try JSONSerialization.jsonObject(with: configurations.schedulerJSON)) is [String: Any])
        }
    }
}
