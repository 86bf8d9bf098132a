import TensorRuntime

/// The network a LoRA is fused into: its base weights file (memory-mapped) and its real module
/// list with every name a LoRA may use for each module (``LoRAModuleIndex``).
public struct LoRAFusionTarget: Sendable {
    /// Which network this is.
    public let target: LoRATarget
    /// The base weights file, for messages.
    public let weightsPath: String
    let weights: SafeTensorsFile
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

    private init(target: LoRATarget, weightsPath: String, configuration: UNetConfiguration?) throws {
        do {
            weights = try SafeTensorsFile(path: weightsPath)
        } catch let error as SafeTensorsError {
            throw ModelLoadingError.safeTensors(error)
        }
        self.target = target
        self.weightsPath = weightsPath
        index = LoRAModuleIndex(target: target, weightShapes: weights.entries.mapValues(\.shape), unetConfiguration: configuration)
    }
}
