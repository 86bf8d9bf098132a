import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// Broken or foreign LoRA files: each gives a ``LoRAError`` whose message names the LoRA file and
/// the key (and, for shapes, both shapes).
@Suite struct LoRAErrorTests {
    /// Writes F32 `tensors` (and `metadata`) as a LoRA file in `scratch`.
    static func writeLoRA(_ tensors: [String: [Int]], metadata: [String: String] = [:], in scratch: ScratchFolder,
                          name: String = "lora.safetensors") throws -> String {
        let path = scratch.file(name)
        var values: [String: SafeTensorsValue] = [:]
        for (index, (key, shape)) in tensors.sorted(by: { $0.key < $1.key }).enumerated() {
            values[key] = .float32(patternTensor(shape, seed: index))
        }
        try SafeTensorsWriter.write(values, metadata: metadata, to: path)
        return path
    }

    /// Reads the LoRA at `path` and fuses it into the unet-sd1 (or clip-quick-gelu) fixture,
    /// expecting a LoRAError; returns it with its message.
    private func fusionError(_ path: String, target: LoRATarget = .unet,
                             sourceLocation: SourceLocation = #_sourceLocation) -> (LoRAError?, String) {
        let error = #expect(throws: LoRAError.self, sourceLocation: sourceLocation) {
            let network = target == .unet ? try LoRAFusionTarget.unet(folder: Fixtures.folder("unet-sd1"))
                : try LoRAFusionTarget.textEncoder(folder: Fixtures.folder("clip-quick-gelu"))
            _ = try LoRAWeights(path: path).fused(into: network)
        }
        let message = error.map { String(describing: $0) } ?? ""
        print("LoRA error: \(message)")
        return (error, message)
    }

    @Test(arguments: [
        ("lora_unet_down_blocks_5_attentions_0_proj_in", LoRATarget.unet, "down_blocks_5_attentions_0_proj_in"),
        ("lora_unet_input_blocks_7_1_proj_in", LoRATarget.unet, "input_blocks_7_1_proj_in"),
        ("unet.down_blocks.0.attentions.0.proj_inn", LoRATarget.unet, "down_blocks.0.attentions.0.proj_inn"),
        ("lora_te_text_model_encoder_layers_7_mlp_fc1", LoRATarget.textEncoder, "text_model_encoder_layers_7_mlp_fc1"),
    ])
    func keyMatchingNoModuleIsNamed(_ stem: String, _ target: LoRATarget, _ module: String) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let kohya = stem.hasPrefix("lora_")
        let downKey = stem + (kohya ? ".lora_down.weight" : ".lora_A.weight")
        let upKey = stem + (kohya ? ".lora_up.weight" : ".lora_B.weight")
        let path = try Self.writeLoRA([downKey: [2, 32], upKey: [32, 2]], in: scratch)
        let (error, message) = fusionError(path, target: target)
        if case let .unmatchedModule(file, key, named, errorTarget, _)? = error {
            #expect(file == path && key == downKey && named == module && errorTarget == target)
        } else {
            Issue.record("expected unmatchedModule, got \(String(describing: error))")
        }
        #expect(message.contains(downKey) && message.contains(path))
    }

    @Test(arguments: [
        // linear to_q [32, 32] given in = 31
        ("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q", [2, 31], [32, 2],
         "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight", [32, 32]),
        // 3x3 conv1 given a 1x1 down factor
        ("lora_unet_down_blocks_0_resnets_0_conv1", [2, 32, 1, 1], [32, 2, 1, 1],
         "down_blocks.0.resnets.0.conv1.weight", [32, 32, 3, 3]),
        // LDM name, wrong output width (skip_connection of input_blocks.4: [64, 32, 1, 1])
        ("lora_unet_input_blocks_4_0_skip_connection", [2, 32, 1, 1], [32, 2, 1, 1],
         "down_blocks.1.resnets.0.conv_shortcut.weight", [64, 32, 1, 1]),
    ])
    func mismatchedShapesNameKeyAndBothShapes(_ stem: String, _ downShape: [Int], _ upShape: [Int],
                                              _ weightKey: String, _ weightShape: [Int]) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let downKey = stem + ".lora_down.weight"
        let path = try Self.writeLoRA([downKey: downShape, stem + ".lora_up.weight": upShape], in: scratch)
        let (error, message) = fusionError(path)
        #expect(error == .shapeMismatch(file: path, key: downKey, downShape: downShape, upShape: upShape,
                                        weightKey: weightKey, weightShape: weightShape))
        #expect(message.contains(downKey) && message.contains("\(downShape)") && message.contains("\(weightShape)") && message.contains(weightKey))
    }

    @Test func malformedFileIsASafeTensorsError() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let garbage = scratch.file("garbage.safetensors")
        try Data("this is not a safetensors file at all".utf8).write(to: URL(fileURLWithPath: garbage))
        let truncated = scratch.file("truncated.safetensors")
        let valid = try Self.writeLoRA(["lora_unet_conv_in.lora_down.weight": [2, 4, 3, 3], "lora_unet_conv_in.lora_up.weight": [32, 2, 1, 1]], in: scratch)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: valid))
        try bytes.prefix(bytes.count - 16).write(to: URL(fileURLWithPath: truncated))
        for path in [garbage, truncated] {
            let error = #expect(throws: LoRAError.self) { _ = try LoRAWeights(path: path) }
            guard case .safeTensors? = error else {
                Issue.record("expected a safeTensors error for \(path), got \(String(describing: error))")
                continue
            }
            #expect(String(describing: error!).contains(path))
        }
    }

    /// Files that are valid safetensors but not a usable LoRA.
    @Test func malformedLoRAContents() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        func readError(_ tensors: [String: [Int]], metadata: [String: String] = [:]) throws -> (LoRAError?, String, String) {
            let path = try Self.writeLoRA(tensors, metadata: metadata, in: scratch, name: "\(UUID().uuidString).safetensors")
            let error = #expect(throws: LoRAError.self) { _ = try LoRAWeights(path: path) }
            let message = error.map { String(describing: $0) } ?? ""
            print("LoRA error: \(message)")
            return (error, message, path)
        }
        let stem = "lora_unet_down_blocks_0_attentions_0_proj_in"

        var (error, message, path) = try readError([:])
        #expect(error == .noLayers(file: path))

        (error, message, path) = try readError(["model.diffusion_model.input_blocks.1.1.proj_in.weight": [32, 32, 1, 1]])
        #expect(error == .unrecognizedKey(file: path, key: "model.diffusion_model.input_blocks.1.1.proj_in.weight"))

        (error, message, path) = try readError([stem + ".hada_w1_a": [32, 2]])
        if case .unsupportedKey(_, let key, let reason)? = error { #expect(key == stem + ".hada_w1_a" && reason.contains("LoHa")) } else { Issue.record("\(String(describing: error))") }

        (error, message, path) = try readError(["unet.conv_in.lora_magnitude_vector.default": [32]])
        if case .unsupportedKey(_, _, let reason)? = error { #expect(reason.contains("DoRA")) } else { Issue.record("\(String(describing: error))") }

        // SDXL's second text encoder: read fine, refused when a Stable Diffusion 1.x model is loaded with it.
        do {
            let scratch = try ScratchFolder()
            defer { scratch.remove() }
            let te2 = "lora_te2_text_model_encoder_layers_0_mlp_fc1"
            let lora = try Self.writeLoRA([te2 + ".lora_down.weight": [2, 32], te2 + ".lora_up.weight": [32, 2]], in: scratch)
            #expect(try LoRAWeights(path: lora).layers(for: .textEncoder2).count == 1)
            let refused = #expect(throws: LoRAError.self) {
                _ = try CLIPTextModel(folder: Fixtures.folder("clip-quick-gelu"), loras: [LoRAReference(path: lora)])
            }
            if case let .unsupportedKey(file, key, reason)? = refused {
                #expect(file == lora && key == te2 + ".lora_down.weight" && reason.contains("SDXL"))
            } else {
                Issue.record("\(String(describing: refused))")
            }
        }

        (error, message, path) = try readError([stem + ".lora_down.weight": [2, 32, 1, 1], stem + ".alpha": []])
        #expect(error == .missingPartner(file: path, key: stem + ".lora_down.weight", expected: stem + ".lora_up.weight"))

        (error, message, path) = try readError(["unet.conv_in.lora_B.weight": [32, 2, 1, 1]])
        #expect(error == .missingPartner(file: path, key: "unet.conv_in.lora_B.weight", expected: "unet.conv_in.lora_A.weight"))

        (error, message, path) = try readError([stem + ".lora_down.weight": [2, 32, 1, 1], stem + ".lora_up.weight": [32, 3, 1, 1]])
        #expect(error == .rankMismatch(file: path, downKey: stem + ".lora_down.weight", downShape: [2, 32, 1, 1],
                                       upKey: stem + ".lora_up.weight", upShape: [32, 3, 1, 1]))

        (error, message, path) = try readError([stem + ".lora_down.weight": [2, 32, 1, 1], stem + ".lora_up.weight": [32, 2, 3, 3]])
        #expect(error == .invalidTensor(file: path, key: stem + ".lora_up.weight", shape: [32, 2, 3, 3],
                                        reason: "is not a LoRA up factor ([out, rank] or [out, rank, 1, 1], no empty dimension)"))

        (error, message, path) = try readError([stem + ".lora_down.weight": [2, 32], stem + ".lora_up.weight": [32, 2], stem + ".alpha": [2]])
        if case .invalidTensor(_, let key, let shape, _)? = error { #expect(key == stem + ".alpha" && shape == [2]) } else { Issue.record("\(String(describing: error))") }

        (error, message, path) = try readError(["unet.conv_in.lora_A.weight": [2, 4, 3, 3], "unet.conv_in.lora_B.weight": [32, 2, 1, 1]],
                                               metadata: ["lora_adapter_metadata": "{not json"])
        if case .invalidMetadata? = error { #expect(message.contains("lora_adapter_metadata")) } else { Issue.record("\(String(describing: error))") }

        // A pattern key that is not a regular expression is refused when the file is read, naming field and key.
        (error, message, path) = try readError(["unet.conv_in.lora_A.weight": [2, 4, 3, 3], "unet.conv_in.lora_B.weight": [32, 2, 1, 1]],
                                               metadata: ["lora_adapter_metadata": #"{"unet.r": 2, "unet.rank_pattern": {"conv_(in": 2}}"#])
        if case .invalidMetadata? = error {
            #expect(message.contains("unet.rank_pattern") && message.contains("'conv_(in' is not one"), "\(message)")
        } else {
            Issue.record("\(String(describing: error))")
        }
        _ = message
    }

    /// Metadata that disagrees with the tensors is found when fusing (patterns need module paths).
    @Test func metadataRankDisagreeingWithTensors() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = try Self.writeLoRA(["unet.conv_in.lora_A.weight": [2, 4, 3, 3], "unet.conv_in.lora_B.weight": [32, 2, 1, 1]],
                                      metadata: ["lora_adapter_metadata": #"{"unet.r": 4, "unet.lora_alpha": 4}"#], in: scratch)
        let (error, message) = fusionError(path)
        if case .invalidMetadata? = error {
            #expect(message.contains("conv_in") && message.contains("rank 4") && message.contains("rank 2"))
        } else {
            Issue.record("expected invalidMetadata, got \(String(describing: error))")
        }
    }

    /// The same module under its diffusers and its LDM name in one file.
    @Test func twoLayersForOneModule() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = try Self.writeLoRA([
            "lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight": [2, 32, 1, 1],
            "lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight": [32, 2, 1, 1],
            "lora_unet_input_blocks_1_1_proj_in.lora_down.weight": [2, 32, 1, 1],
            "lora_unet_input_blocks_1_1_proj_in.lora_up.weight": [32, 2, 1, 1],
        ], in: scratch)
        let (error, _) = fusionError(path)
        #expect(error == .duplicateModule(file: path, key: "lora_unet_input_blocks_1_1_proj_in.lora_down.weight",
                                          otherKey: "lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight",
                                          module: "down_blocks.0.attentions.0.proj_in"))
    }
}
