@testable import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// What an SD3 single file that cannot load reports, naming the file and the key or field:
/// truncated layouts (a block's tensor missing, a block fewer than the configuration), ambiguous
/// ones, mis-shaped fused tensors, a truncated download, shapes that fit no published model, and
/// networks that are neither in the file nor in the configuration folder.
@Suite struct SD3SingleFileErrorTests {
    typealias Files = SD3SingleFileTests

    /// sd3.safetensors with `change` applied to its tensors, written to a scratch folder.
    static func edited(_ scratch: ScratchFolder, _ change: (inout [String: SafeTensorsValue]) -> Void) throws -> String {
        var tensors = try readAllTensors(Files.sd3)
        change(&tensors)
        let path = scratch.file("edited-\(UUID().uuidString).safetensors")
        try SafeTensorsWriter.write(tensors, to: path)
        return path
    }

    static func zeros(_ shape: [Int]) -> SafeTensorsValue { .float32(Tensor(shape: shape, repeating: 0)) }

    func expectError(_ path: String, configuration: String? = Files.sd3Configuration, containing texts: [String],
                     sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try SD3SingleFileCheckpoint(path: path).load(configurationFolder: configuration, loras: [])
            Issue.record("no error; expected one containing \(texts)", sourceLocation: sourceLocation)
        } catch {
            for text in texts { #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation) }
        }
    }

    @Test func aMissingBlockTensorIsNamed() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = try Self.edited(scratch) { $0["model.diffusion_model.joint_blocks.1.x_block.attn.qkv.weight"] = nil }
        expectError(path, containing: [path, "has no tensor 'model.diffusion_model.joint_blocks.1.x_block.attn.qkv.weight'",
                                       "joint_blocks run 0...1"])
    }

    /// Without its last block the file has one block fewer than the folder's configuration says;
    /// without a configuration its block 0 would be the context-only last block and its context
    /// MLP a key that belongs nowhere.
    @Test func aTruncatedBlockListIsNamed() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = try Self.edited(scratch) { tensors in
            for key in tensors.keys where key.hasPrefix("model.diffusion_model.joint_blocks.1.") { tensors[key] = nil }
        }
        expectError(path, containing: [path, "transformer/config.json", "num_layers is 2 but the file has 1"])
        let folder = try scratch.copyFixture("sd3-single-file/sd3-config", as: "one-block")
        try rewriteJSON(folder + "/transformer/config.json") { $0["num_layers"] = 1 }
        expectError(path, configuration: folder, containing: [path, "model.diffusion_model.joint_blocks.0.context_block.attn.proj"])
    }

    @Test func ambiguousLayoutsAreRefused() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let bare = try Self.edited(scratch) { $0["joint_blocks.0.x_block.attn.qkv.weight"] = Self.zeros([48, 16]) }
        expectError(bare, containing: [bare, "ambiguous layout", "'joint_blocks.0.x_block.attn.qkv.weight'"])
        let mixed = try Self.edited(scratch) {
            $0["cond_stage_model.transformer.text_model.embeddings.token_embedding.weight"] = Self.zeros([4, 8])
        }
        expectError(mixed, containing: [mixed, "ambiguous layout", "cond_stage_model.transformer"])
    }

    @Test func misShapedAndUnknownTensorsAreNamed() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let qkv = try Self.edited(scratch) { $0["model.diffusion_model.joint_blocks.0.context_block.attn.qkv.bias"] = Self.zeros([47]) }
        expectError(qkv, containing: [qkv, "'model.diffusion_model.joint_blocks.0.context_block.attn.qkv.bias' with shape [47]", "q/k/v"])
        let unknown = try Self.edited(scratch) { $0["model.diffusion_model.joint_blocks.0.x_block.extra.weight"] = Self.zeros([2]) }
        expectError(unknown, containing: [unknown, "model.diffusion_model.joint_blocks.0.x_block.extra.weight"])
    }

    @Test func aTruncatedDownloadGivesBothSizes() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = scratch.file("cut.safetensors")
        let data = try Data(contentsOf: URL(fileURLWithPath: Files.sd3))
        try data.prefix(data.count - 1000).write(to: URL(fileURLWithPath: path))
        #expect(throws: SingleFileError.truncated(path: path, expectedBytes: data.count, actualBytes: data.count - 1000)) {
            try SD3SingleFileCheckpoint(path: path)
        }
    }

    /// Tiny shapes are no published model: without `--config` the file is refused with the
    /// reason; with a folder whose transformer does not fit, every differing field is named.
    @Test func configurationsThatDoNotFitAreNamed() throws {
        expectError(Files.sd3, configuration: nil, containing: [Files.sd3, "not SD3 Medium, SD3.5 Medium or SD3.5 Large", "--config DIR"])
        expectError(Files.sd35, configuration: Files.sd3Configuration,
                    containing: [Files.sd35, "num_layers is 2 but the file has 3", "dual_attention_layers is [] but the file has attn2 in blocks [0, 2]",
                                 "qk_norm is null but the file has ln_q/ln_k keys", "pos_embed_max_size is 10 but the file has 12"])
    }

    /// sd35-medium.safetensors has no text encoders: without a folder holding their weights the
    /// error names the missing network, its keys and the subfolder that would supply it.
    @Test func missingNetworksAreNamed() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture("sd3-single-file/sd35-medium-config", as: "no-text-weights")
        try FileManager.default.removeItem(atPath: folder + "/text_encoder/model.safetensors")
        expectError(Files.sd35, configuration: folder,
                    containing: [Files.sd35, "has no CLIP-L text encoder (no keys under 'text_encoders.clip_l.transformer.')",
                                 "the --config folder \(folder) has no text_encoder/ weights"])
        let layout = try SD3SingleFileLayout(shapes: SafeTensorsFile(path: Files.sd35).entries.mapValues(\.shape), path: Files.sd35)
        #expect(!layout.hasCLIPL && !layout.hasCLIPG && layout.hasAutoencoder)
    }

    /// The published sizes are told apart as diffusers' `infer_diffusers_model_type` does, and
    /// their built-in configurations fit the shapes of the published files.
    @Test func publishedModelsAreRecognisedFromShapes() throws {
        func shapes(layers: Int, width: Int, positions: Int, dual: [Int] = [], qkNorm: Bool = false) -> [String: [Int]] {
            var result: [String: [Int]] = [
                "model.diffusion_model.pos_embed": [1, positions, width], "model.diffusion_model.x_embedder.proj.weight": [width, 16, 2, 2],
                "model.diffusion_model.context_embedder.weight": [width, 4096], "model.diffusion_model.y_embedder.mlp.0.weight": [width, 2048],
                "model.diffusion_model.final_layer.linear.weight": [64, width],
                "text_encoders.clip_l.transformer.text_model.embeddings.token_embedding.weight": [49408, 768],
                "text_encoders.clip_g.transformer.text_model.embeddings.token_embedding.weight": [49408, 1280],
            ]
            for index in 0..<layers {
                result["model.diffusion_model.joint_blocks.\(index).context_block.adaLN_modulation.1.bias"] = [(index == layers - 1 ? 2 : 6) * width]
                result["model.diffusion_model.joint_blocks.\(index).x_block.mlp.fc1.weight"] = [4 * width, width]
                if dual.contains(index) { result["model.diffusion_model.joint_blocks.\(index).x_block.attn2.qkv.weight"] = [3 * width, width] }
                if qkNorm { result["model.diffusion_model.joint_blocks.\(index).x_block.attn.ln_q.weight"] = [64] }
            }
            return result
        }
        let cases: [(SD3PublishedModel, [String: [Int]])] = [
            (.stableDiffusion3Medium, shapes(layers: 24, width: 1536, positions: 36864)),
            (.stableDiffusion35Medium, shapes(layers: 24, width: 1536, positions: 147456, dual: Array(0...12), qkNorm: true)),
            (.stableDiffusion35Large, shapes(layers: 38, width: 2432, positions: 36864, qkNorm: true)),
        ]
        for (model, shapes) in cases {
            let layout = try SD3SingleFileLayout(shapes: shapes, path: "x")
            #expect(layout.model == model)
            let configurations = try SD3SingleFileConfigurations.builtIn(model)
            #expect(layout.differences(from: configurations.transformer).isEmpty, "\(model): \(layout.differences(from: configurations.transformer))")
            #expect(configurations.textEncoder?.hiddenSize == 768 && configurations.textEncoder2?.hiddenSize == 1280)
            #expect(configurations.autoencoder?.latentChannels == 16 && configurations.autoencoder?.scalingFactor == 1.5305)
        }
        #expect(try SD3SingleFileLayout(shapes: shapes(layers: 2, width: 64, positions: 100), path: "x").model == nil)
    }
}
