import TensorRuntime

/// The network a LoRA is fused into: its base weights (a memory-mapped file, or any keyed source
/// such as a converted single-file checkpoint) and its real module list with every name a LoRA
/// may use for each module (``LoRAModuleIndex``).
public struct LoRAFusionTarget: Sendable {
    /// Which network this is.
    public let target: LoRATarget
    /// The base weights file, for messages.
    public let weightsPath: String
    /// Reads one base weight (float32) by its diffusers/transformers key.
    let baseWeight: @Sendable (String) throws -> Tensor
    let index: LoRAModuleIndex

    /// A UNet's weights file and the configuration that lays out its blocks (for the original
    /// Stable Diffusion module names of kohya LoRAs).
    public init(unetWeightsPath: String, configuration: UNetConfiguration) throws {
        try self.init(target: .unet, weightsPath: unetWeightsPath, configuration: configuration)
    }

    /// A CLIP text encoder's weights file (keys with or without `text_model.`).
    public init(textEncoderWeightsPath: String) throws {
        try self.init(target: .textEncoder, weightsPath: textEncoderWeightsPath, configuration: nil)
    }

    /// SDXL's second text encoder (`CLIPTextModelWithProjection`) weights file: LoRA layers
    /// `lora_te2_…` / `text_encoder_2.…` are fused into it.
    public init(secondTextEncoderWeightsPath: String) throws {
        try self.init(target: .textEncoder2, weightsPath: secondTextEncoderWeightsPath, configuration: nil)
    }

    /// SD3's transformer weights file (`SD3Transformer2DModel`, diffusers keys).
    public init(transformerWeightsPath: String) throws {
        try self.init(target: .transformer, weightsPath: transformerWeightsPath, configuration: nil)
    }

    /// The transformer of a component or pipeline folder (`transformer/`, as
    /// ``SD3Transformer2DModel/init(folder:)`` finds it).
    public static func transformer(folder: String) throws -> LoRAFusionTarget {
        let component = try ComponentFolder(path: folder, subfolder: "transformer", weightBaseName: "diffusion_pytorch_model",
                                            allowsShards: true)
        if let index = component.shardIndexPath {
            let shards = try ShardedWeights(indexPath: index)
            return LoRAFusionTarget(target: .transformer, name: index, weightShapes: shards.shapes, unetConfiguration: nil,
                                    baseWeight: { try shards.tensor($0) })
        }
        return try LoRAFusionTarget(transformerWeightsPath: component.weightsPath)
    }

    /// The UNet of a component or pipeline folder (as ``UNet2DConditionModel/init(folder:overrides:)`` finds it).
    public static func unet(folder: String) throws -> LoRAFusionTarget {
        let component = try ComponentFolder(path: folder, subfolder: "unet", weightBaseName: "diffusion_pytorch_model")
        return try LoRAFusionTarget(unetWeightsPath: component.weightsPath,
                                    configuration: UNetConfiguration.load(path: component.configurationPath))
    }

    /// The text encoder of a component or pipeline folder (as ``CLIPTextModel/init(folder:overrides:)`` finds it).
    public static func textEncoder(folder: String) throws -> LoRAFusionTarget {
        let component = try ComponentFolder(path: folder, subfolder: "text_encoder", weightBaseName: "model")
        return try LoRAFusionTarget(textEncoderWeightsPath: component.weightsPath)
    }

    /// SDXL's second text encoder of a pipeline folder (`text_encoder_2/model.safetensors`), or
    /// of that component folder itself.
    public static func textEncoder2(folder: String) throws -> LoRAFusionTarget {
        let component = try ComponentFolder(path: folder, subfolder: "text_encoder_2", weightBaseName: "model")
        return try LoRAFusionTarget(secondTextEncoderWeightsPath: component.weightsPath)
    }

    /// A network whose weights are not one diffusers-layout file: `weightShapes` gives every
    /// tensor's shape by its diffusers/transformers key, `baseWeight` reads one (e.g. a single-file
    /// checkpoint converted at load time); `name` stands for the weights file in messages;
    /// `unetConfiguration` (for `.unet`) lays out the blocks for LDM-named kohya LoRAs.
    public init(target: LoRATarget, name: String, weightShapes: [String: [Int]], unetConfiguration: UNetConfiguration?,
                baseWeight: @escaping @Sendable (String) throws -> Tensor) {
        self.target = target
        weightsPath = name
        self.baseWeight = baseWeight
        index = LoRAModuleIndex(target: target, weightShapes: weightShapes, unetConfiguration: unetConfiguration)
    }

    private init(target: LoRATarget, weightsPath: String, configuration: UNetConfiguration?) throws {
        let weights: SafeTensorsFile
        do {
            weights = try SafeTensorsFile(path: weightsPath)
        } catch let error as SafeTensorsError {
            throw ModelLoadingError.safeTensors(error)
        }
        self.init(target: target, name: weightsPath, weightShapes: weights.entries.mapValues(\.shape),
                  unetConfiguration: configuration, baseWeight: { try weights.tensor($0) })
    }
}
