import Foundation
import TensorRuntime

/// diffusers' `SD3Transformer2DModel` (models/transformers/transformer_sd3.py, diffusers 0.42.1):
/// the MMDiT of Stable Diffusion 3, 3.5 Medium and 3.5 Large, float32.
///
/// `pos_embed` patchifies the latent and adds the (cropped) 2-D sincos position embedding;
/// `time_text_embed` embeds the timestep and the pooled text embedding into the conditioning
/// `temb`; `context_embedder` projects `encoder_hidden_states` to the blocks' width;
/// `transformer_blocks` are ``JointTransformerBlock``s (the last one context-only, SD3.5 Medium's
/// `dual_attention_layers` with `attn2`, SD3.5's `qk_norm: "rms_norm"`); `norm_out`
/// (`AdaLayerNormContinuous`) and `proj_out` give patch tokens that are unpatchified into the
/// output [B, out_channels, H, W] (the velocity, for flow matching).
///
/// Parameters keep diffusers' checkpoint keys; LoRAs (PEFT adapters such as Flash SD3's, diffusers
/// `transformer.` LoRAs) are fused at load (``init(folder:loras:)``). Not implemented: ControlNet
/// residuals, IP-Adapter (`image_proj`), `skip_layers`.
public struct SD3Transformer2DModel: Sendable {
    /// The decoded configuration.
    public let configuration: SD3TransformerConfiguration
    let patchEmbedding: PatchEmbedding
    let timeTextEmbedding: CombinedTimestepTextEmbedding
    let contextEmbedder: Linear
    let blocks: [JointTransformerBlock]
    let normOut: AdaptiveLayerNorm
    let projectionOut: Linear

    /// Loads from a component folder or a pipeline folder with `transformer/`.
    public init(folder: String) throws {
        try self.init(folder: folder, overrides: [:])
    }

    /// Loads from a component folder or a pipeline folder with `transformer/` (one weights file or
    /// a sharded checkpoint, as SD3.5 Large's), with `overrides`
    /// (e.g. LoRA-fused weights, ``init(folder:loras:)``) replacing the file's tensors by key.
    public init(folder: String, overrides: [String: Tensor]) throws {
        let component = try ComponentFolder(path: folder, subfolder: "transformer", weightBaseName: "diffusion_pytorch_model",
                                            allowsShards: true)
        let configuration = try SD3TransformerConfiguration.load(path: component.configurationPath)
        let store = try component.shardIndexPath.map { try ShardedWeights(indexPath: $0).parameterStore() }
            ?? ParameterStore(path: component.weightsPath)
        store.overrides = overrides
        try self.init(configuration: configuration, store: store)
        try store.finish()
    }

    /// Builds the network from `store`, taking every parameter under its diffusers key.
    public init(configuration: SD3TransformerConfiguration, store: ParameterStore) throws {
        self.configuration = configuration
        let root = KeyPath()
        let dimension = configuration.innerDimension
        patchEmbedding = try PatchEmbedding(store, root.appending("pos_embed"), configuration: configuration)
        timeTextEmbedding = try CombinedTimestepTextEmbedding(store, root.appending("time_text_embed"), dimension: dimension,
                                                              pooledProjectionDimension: configuration.pooledProjectionDimension)
        contextEmbedder = try Linear(store, root.appending("context_embedder"), inFeatures: configuration.jointAttentionDimension,
                                     outFeatures: configuration.captionProjectionDimension)
        blocks = try (0..<configuration.layerCount).map { index in
            try JointTransformerBlock(store, root.appending("transformer_blocks", index), configuration: configuration,
                                      contextPreOnly: index == configuration.layerCount - 1,
                                      dualAttention: configuration.dualAttentionLayers.contains(index))
        }
        normOut = try AdaptiveLayerNorm(store, root.appending("norm_out"), kind: .continuous, dimension: dimension)
        projectionOut = try Linear(store, root.appending("proj_out"), inFeatures: dimension,
                                   outFeatures: configuration.patchSize * configuration.patchSize * configuration.outChannels)
    }

    /// The model output [B, out_channels, H, W] for `hiddenStates` [B, in_channels, H, W] (H and W
    /// multiples of `patch_size`), `encoderHiddenStates` [B, S, joint_attention_dim],
    /// `pooledProjections` [B, pooled_projection_dim] and `timesteps` (one per sample, or one for
    /// all; flow matching: sigma x 1000). Mis-shaped inputs throw
    /// ``ModelLoadingError/invalidInput(name:reason:)`` naming the input.
    public func callAsFunction(hiddenStates: Tensor, encoderHiddenStates: Tensor, pooledProjections: Tensor,
                               timesteps: [Float]) throws -> Tensor {
        let patch = configuration.patchSize
        guard hiddenStates.rank == 4, hiddenStates.shape[1] == configuration.inChannels, hiddenStates.shape.allSatisfy({ $0 > 0 }) else {
            throw ModelLoadingError.invalidInput(name: "hidden_states",
                reason: "has shape \(hiddenStates.shape), expected [B, \(configuration.inChannels), H, W] with B, H, W > 0")
        }
        let batch = hiddenStates.shape[0], height = hiddenStates.shape[2], width = hiddenStates.shape[3]
        guard height % patch == 0, width % patch == 0 else {
            throw ModelLoadingError.invalidInput(name: "hidden_states", reason: "height and width \(height)x\(width) must be multiples of patch_size \(patch)")
        }
        guard encoderHiddenStates.rank == 3, encoderHiddenStates.shape[0] == batch, encoderHiddenStates.shape[1] > 0,
              encoderHiddenStates.shape[2] == configuration.jointAttentionDimension else {
            throw ModelLoadingError.invalidInput(name: "encoder_hidden_states",
                reason: "has shape \(encoderHiddenStates.shape), expected [\(batch), S, \(configuration.jointAttentionDimension)] with S > 0")
        }
        guard pooledProjections.shape == [batch, configuration.pooledProjectionDimension] else {
            throw ModelLoadingError.invalidInput(name: "pooled_projections",
                reason: "has shape \(pooledProjections.shape), expected [\(batch), \(configuration.pooledProjectionDimension)]")
        }
        guard timesteps.count == batch || timesteps.count == 1 else {
            throw ModelLoadingError.invalidInput(name: "timestep", reason: "has \(timesteps.count) values for a batch of \(batch)")
        }
        let perSample = timesteps.count == batch ? timesteps : Array(repeating: timesteps[0], count: batch)

        var hidden = try patchEmbedding(hiddenStates)
        let conditioning = timeTextEmbedding(timesteps: perSample, pooledProjections: pooledProjections)
        // Every adaptive norm applies SiLU to the same conditioning: do it once.
        let activatedConditioning = conditioning.activated(.silu)
        var context: Tensor? = contextEmbedder(encoderHiddenStates)
        for block in blocks {
            try Task.checkCancellation()
            guard let currentContext = context else { break }
            (hidden, context) = block(hidden, context: currentContext, activatedConditioning: activatedConditioning)
        }
        let modulation = normOut.modulation(activatedConditioning)
        hidden = hidden.adaptivelyNormalized(scale: modulation.continuousScale, shift: modulation.continuousShift)
        return projectionOut(hidden).unpatchified(height: height / patch, width: width / patch, patchSize: patch)
    }
}
