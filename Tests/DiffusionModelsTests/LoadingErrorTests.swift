import DiffusionModels
import Foundation
import TensorRuntime
import Testing

/// Strict loading and input validation: every broken model folder or input file gives a
/// ``ModelLoadingError`` whose message names the file, key, field or tensor involved.
@Suite struct LoadingErrorTests {
    enum Network: String, Sendable {
        case unet, textEncoder, vae, taesd
    }

    /// One fixture model with the edits each test makes to it.
    struct ModelCase: Sendable, CustomTestStringConvertible {
        let network: Network
        let fixture: String
        let weights: String
        let subfolder: String
        let missingKey: String
        let reshapedKey: String
        let expectedShape: [Int]
        let wrongShape: [Int]
        let wronglyTypedField: String
        var testDescription: String { fixture }

        func load(_ folder: String) throws {
            switch network {
            case .unet: _ = try UNet2DConditionModel(folder: folder)
            case .textEncoder: _ = try CLIPTextModel(folder: folder)
            case .vae: _ = try AutoencoderKL(folder: folder)
            case .taesd: _ = try AutoencoderTiny(folder: folder)
            }
        }
    }

    static let models: [ModelCase] = [
        ModelCase(network: .unet, fixture: "unet-sd1", weights: "diffusion_pytorch_model.safetensors", subfolder: "unet",
                  missingKey: "up_blocks.1.attentions.2.transformer_blocks.0.attn2.to_k.weight",
                  reshapedKey: "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight",
                  expectedShape: [64, 32], wrongShape: [64, 31], wronglyTypedField: "block_out_channels"),
        ModelCase(network: .textEncoder, fixture: "clip-gelu", weights: "model.safetensors", subfolder: "text_encoder",
                  missingKey: "encoder.layers.2.mlp.fc2.bias",
                  reshapedKey: "embeddings.position_embedding.weight",
                  expectedShape: [77, 32], wrongShape: [76, 32], wronglyTypedField: "hidden_size"),
        ModelCase(network: .vae, fixture: "vae", weights: "diffusion_pytorch_model.safetensors", subfolder: "vae",
                  missingKey: "decoder.up_blocks.2.resnets.1.conv2.weight",
                  reshapedKey: "decoder.conv_out.bias",
                  expectedShape: [3], wrongShape: [4], wronglyTypedField: "block_out_channels"),
        ModelCase(network: .taesd, fixture: "taesd", weights: "diffusion_pytorch_model.safetensors", subfolder: "vae",
                  missingKey: "decoder.layers.12.conv.0.bias",
                  reshapedKey: "encoder.layers.9.weight",
                  expectedShape: [4, 16, 3, 3], wrongShape: [4, 16, 3, 2], wronglyTypedField: "num_encoder_blocks"),
    ]

    /// Runs `body`, expecting a ModelLoadingError, and returns it with its message.
    private func loadingError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> (ModelLoadingError?, String) {
        let error = #expect(throws: ModelLoadingError.self, sourceLocation: sourceLocation) { try body() }
        return (error, error.map { String(describing: $0) } ?? "")
    }

    // MARK: Weights

    @Test(arguments: models)
    func missingParameterNamesKeyAndFile(_ model: ModelCase) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(model.fixture)
        let weights = (folder as NSString).appendingPathComponent(model.weights)
        try rewriteTensors(weights) { tensors in
            #expect(tensors.removeValue(forKey: model.missingKey) != nil, "fixture has no \(model.missingKey)")
        }
        let (error, message) = loadingError { try model.load(folder) }
        #expect(error == .missingParameter(key: model.missingKey, file: weights))
        #expect(message.contains("'\(model.missingKey)'") && message.contains(weights), "\(message)")
    }

    @Test(arguments: models)
    func extraParametersAreReportedUnused(_ model: ModelCase) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(model.fixture)
        let weights = (folder as NSString).appendingPathComponent(model.weights)
        try rewriteTensors(weights) { tensors in
            tensors["extra.unused.weight"] = .float32(patternTensor([3]))
            tensors["zz_stray_buffer"] = .int64(IntegerTensor(shape: [2], values: [1, 2]))
        }
        let (error, message) = loadingError { try model.load(folder) }
        #expect(error == .unusedParameters(keys: ["extra.unused.weight", "zz_stray_buffer"], file: weights))
        #expect(message.contains("extra.unused.weight") && message.contains("zz_stray_buffer") && message.contains(weights), "\(message)")
    }

    @Test(arguments: models)
    func wrongShapeNamesKeyExpectedAndFound(_ model: ModelCase) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(model.fixture)
        let weights = (folder as NSString).appendingPathComponent(model.weights)
        try rewriteTensors(weights) { tensors in
            guard case .float32(let original)? = tensors[model.reshapedKey] else {
                Issue.record("fixture has no float tensor \(model.reshapedKey)")
                return
            }
            #expect(original.shape == model.expectedShape)
            tensors[model.reshapedKey] = .float32(patternTensor(model.wrongShape))
        }
        let (error, message) = loadingError { try model.load(folder) }
        #expect(error == .shapeMismatch(key: model.reshapedKey, expected: model.expectedShape, found: model.wrongShape, file: weights))
        #expect(message.contains("'\(model.reshapedKey)'") && message.contains("\(model.expectedShape)")
                && message.contains("\(model.wrongShape)") && message.contains(weights), "\(message)")
    }

    /// Cutting bytes off the end of the weights gives an error naming the weights file (the
    /// header is validated before any tensor is touched), never a crash.
    @Test(arguments: models)
    func truncatedWeightsNameTheFile(_ model: ModelCase) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(model.fixture)
        let weights = (folder as NSString).appendingPathComponent(model.weights)
        let original = try Data(contentsOf: URL(fileURLWithPath: weights))
        let headerLength = Int(original.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        // Last byte; most of the data; into the header; inside the length field; everything.
        let keptLengths = [original.count - 1, 8 + headerLength + 5, original.count / 2, 8 + headerLength / 2, 5, 0]
        for kept in keptLengths {
            try original.prefix(kept).write(to: URL(fileURLWithPath: weights))
            let (error, message) = loadingError { try model.load(folder) }
            guard case .safeTensors(.truncated(let path, _))? = error else {
                Issue.record("\(model.fixture) cut to \(kept) bytes: expected a truncated-file error, got \(message)")
                continue
            }
            #expect(path == weights)
            #expect(message.contains(weights), "\(message)")
        }
    }

    @Test(arguments: models)
    func folderWithoutWeightsIsMissingWeights(_ model: ModelCase) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(model.fixture)
        try FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(model.weights))
        let base = (model.weights as NSString).deletingPathExtension
        let (error, message) = loadingError { try model.load(folder) }
        #expect(error == .missingWeights(folder: folder, tried: ["\(base).safetensors", "\(base).fp16.safetensors"]))
        #expect(message.contains(folder) && message.contains(model.weights), "\(message)")
    }

    @Test func textEncoderIgnoresPositionIDsAndAcceptsTheTextModelPrefix() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let plain = Fixtures.folder("clip-gelu")
        let folder = try scratch.copyFixture("clip-gelu")
        try rewriteTensors((folder as NSString).appendingPathComponent("model.safetensors")) { tensors in
            tensors = Dictionary(uniqueKeysWithValues: tensors.map { ("text_model." + $0.key, $0.value) })
            tensors["text_model.embeddings.position_ids"] = .int64(IntegerTensor(shape: [1, 77], values: (0..<77).map { Int64($0) }))
        }
        let ids = [[0, 5, 999, 1, 1], [3, 4, 5, 6, 999]]
        let expected = try CLIPTextModel(folder: plain)(inputIDs: ids)
        let actual = try CLIPTextModel(folder: folder)(inputIDs: ids)
        #expect(actual.lastHiddenState.scalars == expected.lastHiddenState.scalars)
        #expect(actual.pooledOutput.scalars == expected.pooledOutput.scalars)
    }

    // MARK: Folders and configs

    @Test(arguments: models)
    func folderWithoutConfigIsMissingConfiguration(_ model: ModelCase) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(model.fixture)
        try FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent("config.json"))
        let (error, message) = loadingError { try model.load(folder) }
        guard case .missingConfiguration(let described)? = error else {
            Issue.record("expected missingConfiguration, got \(message)")
            return
        }
        #expect(described.contains(folder) && described.contains("\(model.subfolder)/config.json"))
        #expect(message.contains(folder) && message.contains("config.json"), "\(message)")

        let nowhere = scratch.file("no-such-model")
        let (error2, message2) = loadingError { try model.load(nowhere) }
        guard case .missingConfiguration? = error2 else {
            Issue.record("expected missingConfiguration for a missing folder, got \(message2)")
            return
        }
        #expect(message2.contains(nowhere), "\(message2)")
    }

    @Test(arguments: models)
    func wronglyTypedConfigFieldIsInvalidConfiguration(_ model: ModelCase) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(model.fixture)
        let config = (folder as NSString).appendingPathComponent("config.json")
        try rewriteJSON(config) { $0[model.wronglyTypedField] = "big" }
        let (error, message) = loadingError { try model.load(folder) }
        guard case .invalidConfiguration(let file, let field, let reason)? = error else {
            Issue.record("expected invalidConfiguration, got \(message)")
            return
        }
        #expect(file == config)
        #expect(field == model.wronglyTypedField)
        #expect(reason.contains("wrong type"), "\(reason)")
        #expect(message.contains(config) && message.contains("'\(model.wronglyTypedField)'"), "\(message)")
    }

    @Test(arguments: models)
    func configThatIsNotJSONIsInvalidConfiguration(_ model: ModelCase) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(model.fixture)
        let config = (folder as NSString).appendingPathComponent("config.json")
        try Data("{\"in_channels\": 4,".utf8).write(to: URL(fileURLWithPath: config))
        let (error, message) = loadingError { try model.load(folder) }
        guard case .invalidConfiguration(let file, _, _)? = error else {
            Issue.record("expected invalidConfiguration, got \(message)")
            return
        }
        #expect(file == config)
        #expect(message.contains(config), "\(message)")
    }

    struct ConfigEdit: Sendable, CustomTestStringConvertible {
        let fixture: String
        let network: Network
        let field: String
        let value: String
        var testDescription: String { "\(fixture): \(field) = \(value)" }
    }

    static let unsupportedEdits: [ConfigEdit] = [
        ConfigEdit(fixture: "unet-sd1", network: .unet, field: "class_embed_type", value: "timestep"),
        ConfigEdit(fixture: "unet-sd1", network: .unet, field: "act_fn", value: "gelu"),
        ConfigEdit(fixture: "unet-sd1", network: .unet, field: "time_embedding_type", value: "fourier"),
        ConfigEdit(fixture: "unet-sd1", network: .unet, field: "resnet_time_scale_shift", value: "scale_shift"),
        ConfigEdit(fixture: "unet-sd1", network: .unet, field: "addition_embed_type", value: "text_image"),
        ConfigEdit(fixture: "unet-sd1", network: .unet, field: "mid_block_type", value: "UNetMidBlock2DSimpleCrossAttn"),
        ConfigEdit(fixture: "vae", network: .vae, field: "act_fn", value: "gelu"),
        ConfigEdit(fixture: "clip-gelu", network: .textEncoder, field: "hidden_act", value: "relu"),
        ConfigEdit(fixture: "taesd", network: .taesd, field: "act_fn", value: "softplus"),
    ]

    @Test(arguments: unsupportedEdits)
    func unsupportedConfigValueNamesFieldAndValue(_ edit: ConfigEdit) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try scratch.copyFixture(edit.fixture)
        let config = (folder as NSString).appendingPathComponent("config.json")
        try rewriteJSON(config) { $0[edit.field] = edit.value }
        let model = try #require(Self.models.first { $0.network == edit.network })
        let (error, message) = loadingError { try model.load(folder) }
        #expect(error == .unsupportedConfiguration(file: config, field: edit.field, value: edit.value))
        #expect(message.contains(config) && message.contains(edit.field) && message.contains(edit.value), "\(message)")
    }

    @Test func unsupportedStructuralConfigValues() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let unet = Self.models[0]

        // A per-block list of the wrong length.
        var folder = try scratch.copyFixture("unet-sd1", as: "heads")
        var config = (folder as NSString).appendingPathComponent("config.json")
        try rewriteJSON(config) { $0["attention_head_dim"] = [8, 8, 8] }
        var (error, message) = loadingError { try unet.load(folder) }
        #expect(error == .invalidConfiguration(file: config, field: "attention_head_dim", reason: "has 3 entries but the model has 2 blocks"))
        #expect(message.contains(config) && message.contains("attention_head_dim"), "\(message)")

        // A block type this implementation does not build.
        folder = try scratch.copyFixture("unet-sd1", as: "blocks")
        config = (folder as NSString).appendingPathComponent("config.json")
        try rewriteJSON(config) { $0["down_block_types"] = ["CrossAttnDownBlock2D", "SimpleCrossAttnDownBlock2D"] }
        (error, message) = loadingError { try unet.load(folder) }
        #expect(error == .unsupportedConfiguration(file: config, field: "down_block_types", value: "SimpleCrossAttnDownBlock2D"))

        // Groups that do not divide the channels.
        folder = try scratch.copyFixture("unet-sd1", as: "groups")
        config = (folder as NSString).appendingPathComponent("config.json")
        try rewriteJSON(config) { $0["norm_num_groups"] = 7 }
        (error, message) = loadingError { try unet.load(folder) }
        guard case .unsupportedConfiguration(let file, let field, _)? = error else {
            Issue.record("expected unsupportedConfiguration, got \(message)")
            return
        }
        #expect(file == config && field == "norm_num_groups")

        // TAESD with an upsampling function other than nearest.
        folder = try scratch.copyFixture("taesd", as: "taesd-bilinear")
        config = (folder as NSString).appendingPathComponent("config.json")
        try rewriteJSON(config) { $0["upsample_fn"] = "bilinear" }
        (error, message) = loadingError { try Self.models[3].load(folder) }
        guard case .invalidConfiguration(let taesdFile, let taesdField, _)? = error else {
            Issue.record("expected invalidConfiguration, got \(message)")
            return
        }
        #expect(taesdFile == config && taesdField == "upsample_fn")
        #expect(message.contains("bilinear"), "\(message)")
    }

    // MARK: Pipeline folders

    /// A pipeline folder holding `unet/` (as a symbolic link and as a copy) gives exactly the
    /// result of the component folder itself.
    @Test func unetLoadsFromPipelineFolder() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let linked = scratch.file("linked-pipeline")
        try FileManager.default.createDirectory(atPath: linked, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: (linked as NSString).appendingPathComponent("unet"),
                                                   withDestinationPath: Fixtures.folder("unet-sd1"))
        let copied = scratch.file("copied-pipeline")
        _ = try scratch.copyFixture("unet-sd1", as: "copied-pipeline/unet")
        // A pipeline also holds other components; the UNet must still be found under unet/.
        _ = try scratch.copyFixture("clip-gelu", as: "copied-pipeline/text_encoder")

        let inputs = try SafeTensorsFile(path: Fixtures.file("unet-sd1", "inputs.safetensors"))
        guard case .float32(let reference)? = try NetworkComponent.unet.run(model: Fixtures.folder("unet-sd1"), inputs: inputs)["sample"] else {
            Issue.record("no sample output")
            return
        }
        for pipeline in [linked, copied] {
            guard case .float32(let result)? = try NetworkComponent.unet.run(model: pipeline, inputs: inputs)["sample"] else {
                Issue.record("no sample output from \(pipeline)")
                continue
            }
            #expect(result.shape == reference.shape)
            #expect(Comparison(result, reference).maximumAbsoluteError == 0, "\(pipeline): \(Comparison(result, reference))")
        }

        // The text encoder of the same pipeline folder loads from text_encoder/.
        let ids = try SafeTensorsFile(path: Fixtures.file("clip-gelu", "inputs.safetensors"))
        let expected = try SafeTensorsFile(path: Fixtures.file("clip-gelu", "outputs.safetensors"))
        guard case .float32(let hidden)? = try NetworkComponent.textEncoder.run(model: copied, inputs: ids)["last_hidden_state"] else {
            Issue.record("no last_hidden_state output")
            return
        }
        #expect(Comparison(hidden, try expected.tensor("last_hidden_state")).maximumAbsoluteError < 1e-4)

        // A pipeline folder without the component.
        let (error, message) = loadingError { _ = try NetworkComponent.vaeDecode.run(model: copied, inputs: inputs) }
        #expect(error == .missingConfiguration(folder: "\(copied) (nor vae/config.json)"))
        #expect(message.contains(copied), "\(message)")
    }

    // MARK: Forward inputs

    struct InputCase: Sendable, CustomTestStringConvertible {
        let name: String
        let component: NetworkComponent
        let fixture: String
        let inputs: @Sendable () -> [String: SafeTensorsValue]
        /// The tensor the error must name, and a fragment of its reason.
        let tensor: String
        let reason: String
        /// Whether the reason names the inputs file (errors found while reading it do).
        var namesInputsFile = false
        var testDescription: String { "\(component.rawValue): \(name)" }
    }

    static func unetInputs(sample: [Int] = [2, 4, 16, 16], timesteps: [Int] = [2], context: [Int] = [2, 7, 32]) -> [String: SafeTensorsValue] {
        ["sample": .float32(patternTensor(sample)), "timestep": .float32(Tensor(shape: timesteps, values: (0..<timesteps.reduce(1, *)).map { Float(100 * $0 + 1) })),
         "encoder_hidden_states": .float32(patternTensor(context, seed: 1))]
    }

    static func ids(_ rows: [[Int64]]) -> SafeTensorsValue {
        .int64(IntegerTensor(shape: [rows.count, rows.first?.count ?? 0], values: rows.flatMap { $0 }))
    }

    static let inputCases: [InputCase] = [
        // Missing tensors.
        InputCase(name: "no timestep", component: .unet, fixture: "unet-sd1",
                  inputs: { var inputs = unetInputs(); inputs["timestep"] = nil; return inputs },
                  tensor: "timestep", reason: "is missing from", namesInputsFile: true),
        InputCase(name: "no sample", component: .unet, fixture: "unet-sd1",
                  inputs: { var inputs = unetInputs(); inputs["sample"] = nil; return inputs },
                  tensor: "sample", reason: "is missing from", namesInputsFile: true),
        InputCase(name: "no encoder_hidden_states", component: .unet, fixture: "unet-sd1",
                  inputs: { var inputs = unetInputs(); inputs["encoder_hidden_states"] = nil; return inputs },
                  tensor: "encoder_hidden_states", reason: "is missing from", namesInputsFile: true),
        InputCase(name: "no input_ids", component: .textEncoder, fixture: "clip-gelu",
                  inputs: { ["ids": ids([[1, 2, 3]])] }, tensor: "input_ids", reason: "is missing from", namesInputsFile: true),
        InputCase(name: "no images", component: .vaeEncode, fixture: "vae",
                  inputs: { ["latents": .float32(patternTensor([1, 4, 8, 8]))] }, tensor: "images", reason: "is missing from", namesInputsFile: true),
        InputCase(name: "no latents", component: .taesdDecode, fixture: "taesd",
                  inputs: { ["images": .float32(patternTensor([1, 3, 32, 32]))] }, tensor: "latents", reason: "is missing from", namesInputsFile: true),
        // Wrong dtypes.
        InputCase(name: "input_ids as F32", component: .textEncoder, fixture: "clip-gelu",
                  inputs: { ["input_ids": .float32(Tensor(shape: [1, 3], values: [1, 2, 3]))] },
                  tensor: "input_ids", reason: "has dtype F32", namesInputsFile: true),
        InputCase(name: "sample as I64", component: .unet, fixture: "unet-sd1",
                  inputs: { var inputs = unetInputs(); inputs["sample"] = .int64(IntegerTensor(shape: [2, 4, 2, 2], values: Array(repeating: 1, count: 32))); return inputs },
                  tensor: "sample", reason: "has dtype I64", namesInputsFile: true),
        InputCase(name: "encoder_hidden_states as I32", component: .unet, fixture: "unet-sd1",
                  inputs: { var inputs = unetInputs(); inputs["encoder_hidden_states"] = .int32(IntegerTensor(shape: [2, 1, 32], values: Array(repeating: 1, count: 64))); return inputs },
                  tensor: "encoder_hidden_states", reason: "has dtype I32", namesInputsFile: true),
        InputCase(name: "latents as I64", component: .vaeDecode, fixture: "vae",
                  inputs: { ["latents": .int64(IntegerTensor(shape: [1, 4, 1, 1], values: [1, 2, 3, 4]))] },
                  tensor: "latents", reason: "has dtype I64", namesInputsFile: true),
        // Wrong shapes.
        InputCase(name: "sample with 3 channels", component: .unet, fixture: "unet-sd1",
                  inputs: { unetInputs(sample: [2, 3, 16, 16]) }, tensor: "sample", reason: "has shape [2, 3, 16, 16], expected [B, 4, h, w]"),
        InputCase(name: "sample of rank 3", component: .unet, fixture: "unet-sd1",
                  inputs: { unetInputs(sample: [2, 4, 16]) }, tensor: "sample", reason: "has shape [2, 4, 16]"),
        InputCase(name: "empty batch", component: .unet, fixture: "unet-sd1",
                  inputs: { unetInputs(sample: [0, 4, 16, 16], timesteps: [0], context: [0, 7, 32]) }, tensor: "sample", reason: "has shape [0, 4, 16, 16]"),
        InputCase(name: "encoder_hidden_states of width 31", component: .unet, fixture: "unet-sd1",
                  inputs: { unetInputs(context: [2, 7, 31]) }, tensor: "encoder_hidden_states", reason: "has shape [2, 7, 31], expected [2, S, 32]"),
        InputCase(name: "encoder_hidden_states for another batch", component: .unet, fixture: "unet-sd1",
                  inputs: { unetInputs(context: [1, 7, 32]) }, tensor: "encoder_hidden_states", reason: "has shape [1, 7, 32]"),
        InputCase(name: "three timesteps for two samples", component: .unet, fixture: "unet-sd1",
                  inputs: { unetInputs(timesteps: [3]) }, tensor: "timestep", reason: "has 3 values for a batch of 2"),
        InputCase(name: "no timesteps", component: .unet, fixture: "unet-sd1",
                  inputs: { unetInputs(timesteps: [0]) }, tensor: "timestep", reason: "has 0 values for a batch of 2"),
        InputCase(name: "timestep of rank 2", component: .unet, fixture: "unet-sd1",
                  inputs: { unetInputs(timesteps: [2, 1]) }, tensor: "timestep", reason: "has shape [2, 1]", namesInputsFile: true),
        InputCase(name: "images with 4 channels", component: .vaeEncode, fixture: "vae",
                  inputs: { ["images": .float32(patternTensor([2, 4, 32, 32]))] }, tensor: "images", reason: "has shape [2, 4, 32, 32], expected [B, 3, H, W]"),
        InputCase(name: "images of 30x30", component: .vaeEncode, fixture: "vae",
                  inputs: { ["images": .float32(patternTensor([1, 3, 30, 30]))] }, tensor: "images", reason: "30x30 must be multiples of 4"),
        InputCase(name: "images with 1 channel", component: .taesdEncode, fixture: "taesd",
                  inputs: { ["images": .float32(patternTensor([1, 1, 32, 32]))] }, tensor: "images", reason: "has shape [1, 1, 32, 32]"),
        InputCase(name: "latents with 3 channels", component: .vaeDecode, fixture: "vae",
                  inputs: { ["latents": .float32(patternTensor([1, 3, 8, 8]))] }, tensor: "latents", reason: "has shape [1, 3, 8, 8], expected [B, 4, h, w]"),
        InputCase(name: "latents with 5 channels", component: .taesdDecode, fixture: "taesd",
                  inputs: { ["latents": .float32(patternTensor([1, 5, 4, 4]))] }, tensor: "latents", reason: "has shape [1, 5, 4, 4]"),
        InputCase(name: "token id past the vocabulary", component: .textEncoder, fixture: "clip-gelu",
                  inputs: { ["input_ids": ids([[0, 5, 999], [1, 1000, 2]])] }, tensor: "input_ids", reason: "token id 1000 is outside the vocabulary 0..<1000"),
        InputCase(name: "negative token id", component: .textEncoder, fixture: "clip-gelu",
                  inputs: { ["input_ids": .int32(IntegerTensor(shape: [1, 3], values: [0, -1, 2]))] }, tensor: "input_ids", reason: "token id -1"),
        InputCase(name: "input_ids of rank 1", component: .textEncoder, fixture: "clip-gelu",
                  inputs: { ["input_ids": .int64(IntegerTensor(shape: [77], values: Array(repeating: 1, count: 77)))] },
                  tensor: "input_ids", reason: "has shape [77]", namesInputsFile: true),
        InputCase(name: "78 tokens", component: .textEncoder, fixture: "clip-gelu",
                  inputs: { ["input_ids": ids([Array(repeating: 1, count: 78)])] }, tensor: "input_ids", reason: "78 tokens, more than max_position_embeddings 77"),
        InputCase(name: "zero tokens", component: .textEncoder, fixture: "clip-gelu",
                  inputs: { ["input_ids": .int64(IntegerTensor(shape: [2, 0], values: []))] }, tensor: "input_ids", reason: "non-empty"),
    ]

    @Test(arguments: inputCases)
    func invalidInputNamesTheTensor(_ testCase: InputCase) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = scratch.file("inputs.safetensors")
        try SafeTensorsWriter.write(testCase.inputs(), to: path)
        let inputs = try SafeTensorsFile(path: path)
        let (error, message) = loadingError { _ = try testCase.component.run(model: Fixtures.folder(testCase.fixture), inputs: inputs) }
        guard case .invalidInput(let name, let reason)? = error else {
            Issue.record("expected invalidInput, got \(message)")
            return
        }
        #expect(name == testCase.tensor)
        #expect(reason.contains(testCase.reason), "\(reason)")
        #expect(message.contains("'\(testCase.tensor)'"), "\(message)")
        if testCase.namesInputsFile { #expect(message.contains(path), "\(message)") }
    }
}

/// Inputs with a zero spatial extent must be rejected as invalid inputs, not crash the process:
/// the shape guards of UNet2DConditionModel, AutoencoderKL.encode/decode and
/// AutoencoderTiny.encode/decode check that H and W are positive before any convolution (whose
/// precondition would otherwise trap). Each case runs in a child process (exit test), so a trap
/// fails the test instead of ending the test run. The exit codes of the child: 0 invalidInput
/// (wanted), 2 accepted, 3 another ModelLoadingError, 4 another error.
@Suite struct ZeroSizeInputTests {
    /// Runs `component` on the inputs file at `path` and exits with the outcome's code.
    static func childRun(_ component: NetworkComponent, fixture: String, inputsPath path: String) -> Never {
        do {
            _ = try component.run(model: Fixtures.folder(fixture), inputs: SafeTensorsFile(path: path))
            exit(2)
        } catch let error as ModelLoadingError {
            if case .invalidInput = error { exit(0) }
            exit(3)
        } catch {
            exit(4)
        }
    }

    /// Writes the inputs in a scratch folder that this process removes, then runs `component` on them in a child.
    static func expectInvalidInput(_ component: NetworkComponent, fixture: String,
                                   inputs: [(key: String, shape: [Int], values: [Float])],
                                   sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = scratch.file("inputs.safetensors")
        try writeFloat32SafeTensors(inputs, to: path)
        let name = component.rawValue
        await #expect(processExitsWith: .success, sourceLocation: sourceLocation) { [name = name as String, fixture = fixture as String, path = path as String] in
            ZeroSizeInputTests.childRun(NetworkComponent(rawValue: name)!, fixture: fixture, inputsPath: path)
        }
    }

    @Test func vaeDecodeRejectsZeroSizeLatents() async throws {
        try await Self.expectInvalidInput(.vaeDecode, fixture: "vae", inputs: [("latents", [1, 4, 0, 0], [])])
    }

    @Test func vaeEncodeRejectsZeroSizeImages() async throws {
        try await Self.expectInvalidInput(.vaeEncode, fixture: "vae", inputs: [("images", [1, 3, 0, 8], [])])
    }

    @Test func taesdEncodeRejectsZeroSizeImages() async throws {
        try await Self.expectInvalidInput(.taesdEncode, fixture: "taesd", inputs: [("images", [1, 3, 0, 0], [])])
    }

    @Test func taesdDecodeRejectsZeroSizeLatents() async throws {
        try await Self.expectInvalidInput(.taesdDecode, fixture: "taesd", inputs: [("latents", [1, 4, 3, 0], [])])
    }

    @Test func unetRejectsZeroSizeSample() async throws {
        try await Self.expectInvalidInput(.unet, fixture: "unet-sd1", inputs: [
            ("encoder_hidden_states", [1, 3, 32], Array(repeating: 0.1, count: 96)),
            ("timestep", [], [1]),
            ("sample", [1, 4, 0, 8], []),
        ])
    }
}
