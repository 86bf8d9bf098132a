import Foundation
import TensorRuntime

/// diffusers' `UNet2DConditionModel` (models/unets/unet_2d_condition.py, diffusers 0.42) for
/// SD1.x, SD2.x and SDXL configurations, in float32 on the CPU.
///
/// Differences from diffusers: every sample of a batch may have its own timestep (diffusers
/// allows that too; the live stream relies on it), and only the features SD1.x/SD2.x/SDXL use
/// are built — anything else in the config is rejected when loading. SDXL's `text_time`
/// addition embedding takes `text_embeds` and `time_ids` (diffusers' `added_cond_kwargs`).
public struct UNet2DConditionModel: Sendable {
    /// The decoded configuration.
    public let configuration: UNetConfiguration
    let convIn: Conv2d
    let timeEmbeddingLinear1: Linear, timeEmbeddingLinear2: Linear
    let textTimeEmbedding: TextTimeEmbedding?
    let downBlocks: [UNetDownBlock]
    let midBlock: UNetMidBlock
    let upBlocks: [UNetUpBlock]
    let convNormOut: GroupNorm
    let convOut: Conv2d

    /// Loads from a component folder (`config.json` + weights) or a pipeline folder with `unet/`.
    public init(folder: String, overrides: [String: Tensor] = [:]) throws {
        let component = try ComponentFolder(path: folder, subfolder: "unet", weightBaseName: "diffusion_pytorch_model")
        let configuration = try UNetConfiguration.load(path: component.configurationPath)
        let store = try ParameterStore(path: component.weightsPath)
        store.overrides = overrides
        try self.init(configuration: configuration, store: store)
        try store.finish()
    }

    /// Builds the network from `store`, taking every parameter under its diffusers key.
    public init(configuration: UNetConfiguration, store: ParameterStore) throws {
        self.configuration = configuration
        let channels = configuration.blockOutChannels
        let groups = configuration.normGroupCount, epsilon = configuration.normEpsilon
        let timeChannels = channels[0] * 4
        let root = KeyPath()
        convIn = try Conv2d(store, root.appending("conv_in"), inChannels: configuration.inChannels, outChannels: channels[0],
                            kernelSize: 3, padding: Padding2D(1))
        timeEmbeddingLinear1 = try Linear(store, root.appending("time_embedding", "linear_1"), inFeatures: channels[0], outFeatures: timeChannels)
        timeEmbeddingLinear2 = try Linear(store, root.appending("time_embedding", "linear_2"), inFeatures: timeChannels, outFeatures: timeChannels)
        textTimeEmbedding = try configuration.textTimeEmbedding.map {
            try TextTimeEmbedding(store, root.appending("add_embedding"), configuration: $0, timeEmbeddingChannels: timeChannels,
                                  flipSinToCos: configuration.flipSinToCos, frequencyShift: configuration.frequencyShift)
        }

        func transformer(_ path: KeyPath, channels: Int, heads: Int, layers: Int) throws -> Transformer2DModel {
            try Transformer2DModel(store, path, channels: channels, heads: heads, layers: layers,
                                   contextDimension: configuration.crossAttentionDimension, groups: groups,
                                   useLinearProjection: configuration.useLinearProjection)
        }

        var downBlocks: [UNetDownBlock] = []
        var outputChannels = channels[0]
        for (index, type) in configuration.downBlockTypes.enumerated() {
            let inputChannels = outputChannels
            outputChannels = channels[index]
            let path = root.appending("down_blocks", index)
            let hasAttention = type == "CrossAttnDownBlock2D"
            var resnets: [ResnetBlock2D] = [], attentions: [Transformer2DModel] = []
            for layer in 0..<configuration.layersPerBlock[index] {
                resnets.append(try ResnetBlock2D(store, path.appending("resnets", layer),
                    inChannels: layer == 0 ? inputChannels : outputChannels, outChannels: outputChannels,
                    timeEmbeddingChannels: timeChannels, groups: groups, epsilon: epsilon))
                if hasAttention {
                    attentions.append(try transformer(path.appending("attentions", layer), channels: outputChannels,
                        heads: configuration.attentionHeads[index], layers: configuration.transformerLayersPerBlock[index]))
                }
            }
            let isFinal = index == channels.count - 1
            let downsampler = isFinal ? nil
                : try Downsample2D(store, path.appending("downsamplers", 0), channels: outputChannels, padding: configuration.downsamplePadding)
            downBlocks.append(UNetDownBlock(resnets: resnets, attentions: attentions, downsampler: downsampler))
        }
        self.downBlocks = downBlocks

        let last = channels[channels.count - 1]
        let midPath = root.appending("mid_block")
        midBlock = UNetMidBlock(
            firstResnet: try ResnetBlock2D(store, midPath.appending("resnets", 0), inChannels: last, outChannels: last,
                                           timeEmbeddingChannels: timeChannels, groups: groups, epsilon: epsilon),
            attention: try transformer(midPath.appending("attentions", 0), channels: last,
                                       heads: configuration.attentionHeads[channels.count - 1],
                                       layers: configuration.transformerLayersPerBlock[channels.count - 1]),
            secondResnet: try ResnetBlock2D(store, midPath.appending("resnets", 1), inChannels: last, outChannels: last,
                                            timeEmbeddingChannels: timeChannels, groups: groups, epsilon: epsilon))

        let reversedChannels = Array(channels.reversed())
        let reversedHeads = Array(configuration.attentionHeads.reversed())
        let reversedLayers = Array(configuration.layersPerBlock.reversed())
        let reversedTransformerLayers = Array(configuration.transformerLayersPerBlock.reversed())
        var upBlocks: [UNetUpBlock] = []
        outputChannels = reversedChannels[0]
        for (index, type) in configuration.upBlockTypes.enumerated() {
            let previousOutputChannels = outputChannels
            outputChannels = reversedChannels[index]
            let inputChannels = reversedChannels[min(index + 1, channels.count - 1)]
            let path = root.appending("up_blocks", index)
            let hasAttention = type == "CrossAttnUpBlock2D"
            let layerCount = reversedLayers[index] + 1
            var resnets: [ResnetBlock2D] = [], attentions: [Transformer2DModel] = []
            for layer in 0..<layerCount {
                let skipChannels = layer == layerCount - 1 ? inputChannels : outputChannels
                let resnetInput = layer == 0 ? previousOutputChannels : outputChannels
                resnets.append(try ResnetBlock2D(store, path.appending("resnets", layer),
                    inChannels: resnetInput + skipChannels, outChannels: outputChannels,
                    timeEmbeddingChannels: timeChannels, groups: groups, epsilon: epsilon))
                if hasAttention {
                    attentions.append(try transformer(path.appending("attentions", layer), channels: outputChannels,
                        heads: reversedHeads[index], layers: reversedTransformerLayers[index]))
                }
            }
            let isFinal = index == channels.count - 1
            let upsampler = isFinal ? nil : try Upsample2D(store, path.appending("upsamplers", 0), channels: outputChannels)
            upBlocks.append(UNetUpBlock(resnets: resnets, attentions: attentions, upsampler: upsampler))
        }
        self.upBlocks = upBlocks
        convNormOut = try GroupNorm(store, root.appending("conv_norm_out"), groups: groups, channels: channels[0], epsilon: epsilon)
        convOut = try Conv2d(store, root.appending("conv_out"), inChannels: channels[0], outChannels: configuration.outChannels,
                             kernelSize: 3, padding: Padding2D(1))
    }

    /// Whether calls need `textEmbeds` and `timeIDs` (an SDXL UNet: `addition_embed_type: "text_time"`).
    public var requiresTextTimeInputs: Bool { configuration.textTimeEmbedding != nil }

    /// The predicted noise (or v) for `sample` [B, in, h, w] at `timesteps` (one per sample, or
    /// one for all) conditioned on `encoderHiddenStates` [B, S, crossAttentionDimension].
    ///
    /// An SDXL UNet (``requiresTextTimeInputs``) also needs `textEmbeds` [B, T] (the pooled,
    /// projected text embedding) and `timeIDs` [B, 6] (original size, crop top-left, target
    /// size), with T + 6 x `addition_time_embed_dim` = `projection_class_embeddings_input_dim`;
    /// other UNets take neither. A missing, superfluous or mis-shaped one throws
    /// ``ModelLoadingError/invalidInput(name:reason:)`` naming `text_embeds` or `time_ids`.
    public func callAsFunction(sample: Tensor, timesteps: [Float], encoderHiddenStates: Tensor,
                               textEmbeds: Tensor? = nil, timeIDs: Tensor? = nil) throws -> Tensor {
        let batch = sample.shape.first ?? 0
        guard sample.rank == 4, sample.shape[1] == configuration.inChannels, sample.shape.allSatisfy({ $0 > 0 }) else {
            throw ModelLoadingError.invalidInput(name: "sample", reason: "has shape \(sample.shape), expected [B, \(configuration.inChannels), h, w] with B, h, w > 0")
        }
        guard encoderHiddenStates.rank == 3, encoderHiddenStates.shape[0] == batch,
              encoderHiddenStates.shape[2] == configuration.crossAttentionDimension else {
            throw ModelLoadingError.invalidInput(name: "encoder_hidden_states",
                reason: "has shape \(encoderHiddenStates.shape), expected [\(batch), S, \(configuration.crossAttentionDimension)]")
        }
        guard timesteps.count == batch || timesteps.count == 1 else {
            throw ModelLoadingError.invalidInput(name: "timestep", reason: "has \(timesteps.count) values for a batch of \(batch)")
        }
        let perSample = timesteps.count == batch ? timesteps : Array(repeating: timesteps[0], count: batch)
        let projected = Tensor.timestepEmbedding(timesteps: perSample, dimension: configuration.blockOutChannels[0],
                                                 flipSinToCos: configuration.flipSinToCos,
                                                 downscaleFrequencyShift: configuration.frequencyShift)
        var timeEmbedding = timeEmbeddingLinear2(timeEmbeddingLinear1(projected).activated(.silu))
        if let textTimeEmbedding {
            let augmentation = try textTimeEmbedding(textEmbeds: textEmbeds, timeIDs: timeIDs, batch: batch)
            timeEmbedding = timeEmbedding + augmentation
        } else if textEmbeds != nil || timeIDs != nil {
            throw ModelLoadingError.invalidInput(name: textEmbeds != nil ? "text_embeds" : "time_ids",
                reason: "is given, but this UNet has no addition_embed_type \"text_time\" (an SDXL UNet takes it; SD1.x/SD2.x do not)")
        }
        // Every resnet applies SiLU to the time embedding before its projection: do it once.
        let activatedTimeEmbedding = timeEmbedding.activated(.silu)

        var hidden = convIn(sample)
        var skips = [hidden]
        for block in downBlocks {
            try Task.checkCancellation()
            hidden = block(hidden, activatedTimeEmbedding: activatedTimeEmbedding, context: encoderHiddenStates, skips: &skips)
        }
        hidden = midBlock(hidden, activatedTimeEmbedding: activatedTimeEmbedding, context: encoderHiddenStates)
        for block in upBlocks {
            try Task.checkCancellation()
            hidden = block(hidden, activatedTimeEmbedding: activatedTimeEmbedding, context: encoderHiddenStates, skips: &skips)
        }
        return convOut(convNormOut(hidden, fusedSiLU: true))
    }
}
