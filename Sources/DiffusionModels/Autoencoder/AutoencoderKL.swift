import Foundation
import TensorRuntime

/// diffusers' `AutoencoderKL` (models/autoencoders/autoencoder_kl.py and vae.py, diffusers 0.42):
/// `encoder` + `quant_conv` giving the posterior mean, `post_quant_conv` + `decoder`. The raw
/// module semantics: no scaling factor, no clamping.
public struct AutoencoderKL: Sendable {
    /// The decoded configuration.
    public let configuration: AutoencoderKLConfiguration
    let encoderConvIn: Conv2d
    let encoderBlocks: [(resnets: [ResnetBlock2D], downsampler: Downsample2D?)]
    let encoderMid: VAEMidBlock
    let encoderNormOut: GroupNorm, encoderConvOut: Conv2d
    let quantConv: Conv2d?
    let postQuantConv: Conv2d?
    let decoderConvIn: Conv2d
    let decoderMid: VAEMidBlock
    let decoderBlocks: [(resnets: [ResnetBlock2D], upsampler: Upsample2D?)]
    let decoderNormOut: GroupNorm, decoderConvOut: Conv2d

    /// Loads from a component folder or a pipeline folder with `vae/`.
    public init(folder: String) throws {
        let component = try ComponentFolder(path: folder, subfolder: "vae", weightBaseName: "diffusion_pytorch_model")
        let configuration = try AutoencoderKLConfiguration.load(path: component.configurationPath)
        let store = try ParameterStore(path: component.weightsPath)
        try self.init(configuration: configuration, store: store)
        try store.finish()
    }

    /// Builds the network from `store`, taking every parameter under its diffusers key.
    public init(configuration: AutoencoderKLConfiguration, store: ParameterStore) throws {
        self.configuration = configuration
        let channels = configuration.blockOutChannels
        let groups = configuration.normGroupCount
        let latent = configuration.latentChannels
        let encoder = KeyPath("encoder"), decoder = KeyPath("decoder")

        encoderConvIn = try Conv2d(store, encoder.appending("conv_in"), inChannels: configuration.inChannels, outChannels: channels[0],
                                   kernelSize: 3, padding: Padding2D(1))
        var outputChannels = channels[0]
        var encoderBlocks: [(resnets: [ResnetBlock2D], downsampler: Downsample2D?)] = []
        for index in channels.indices {
            let inputChannels = outputChannels
            outputChannels = channels[index]
            let path = encoder.appending("down_blocks", index)
            let resnets = try (0..<configuration.layersPerBlock).map { layer in
                try ResnetBlock2D(store, path.appending("resnets", layer), inChannels: layer == 0 ? inputChannels : outputChannels,
                                  outChannels: outputChannels, timeEmbeddingChannels: nil, groups: groups, epsilon: 1e-6)
            }
            let downsampler = index == channels.count - 1 ? nil
                : try Downsample2D(store, path.appending("downsamplers", 0), channels: outputChannels, padding: 0)
            encoderBlocks.append((resnets, downsampler))
        }
        self.encoderBlocks = encoderBlocks
        let last = channels[channels.count - 1]
        encoderMid = try VAEMidBlock(store, encoder.appending("mid_block"), channels: last, groups: groups, addAttention: configuration.midBlockAddAttention)
        encoderNormOut = try GroupNorm(store, encoder.appending("conv_norm_out"), groups: groups, channels: last, epsilon: 1e-6)
        encoderConvOut = try Conv2d(store, encoder.appending("conv_out"), inChannels: last, outChannels: 2 * latent, kernelSize: 3, padding: Padding2D(1))
        quantConv = configuration.useQuantConv
            ? try Conv2d(store, KeyPath("quant_conv"), inChannels: 2 * latent, outChannels: 2 * latent, kernelSize: 1) : nil
        postQuantConv = configuration.usePostQuantConv
            ? try Conv2d(store, KeyPath("post_quant_conv"), inChannels: latent, outChannels: latent, kernelSize: 1) : nil

        decoderConvIn = try Conv2d(store, decoder.appending("conv_in"), inChannels: latent, outChannels: last, kernelSize: 3, padding: Padding2D(1))
        decoderMid = try VAEMidBlock(store, decoder.appending("mid_block"), channels: last, groups: groups, addAttention: configuration.midBlockAddAttention)
        let reversedChannels = Array(channels.reversed())
        outputChannels = reversedChannels[0]
        var decoderBlocks: [(resnets: [ResnetBlock2D], upsampler: Upsample2D?)] = []
        for index in reversedChannels.indices {
            let previousOutputChannels = outputChannels
            outputChannels = reversedChannels[index]
            let path = decoder.appending("up_blocks", index)
            let resnets = try (0..<(configuration.layersPerBlock + 1)).map { layer in
                try ResnetBlock2D(store, path.appending("resnets", layer), inChannels: layer == 0 ? previousOutputChannels : outputChannels,
                                  outChannels: outputChannels, timeEmbeddingChannels: nil, groups: groups, epsilon: 1e-6)
            }
            let upsampler = index == channels.count - 1 ? nil : try Upsample2D(store, path.appending("upsamplers", 0), channels: outputChannels)
            decoderBlocks.append((resnets, upsampler))
        }
        self.decoderBlocks = decoderBlocks
        decoderNormOut = try GroupNorm(store, decoder.appending("conv_norm_out"), groups: groups, channels: channels[0], epsilon: 1e-6)
        decoderConvOut = try Conv2d(store, decoder.appending("conv_out"), inChannels: channels[0], outChannels: configuration.outChannels,
                                    kernelSize: 3, padding: Padding2D(1))
    }

    /// The posterior mean [B, latent, H/f, W/f] of images [B, in, H, W] in [-1, 1] (unscaled).
    public func encode(_ images: Tensor) throws -> Tensor {
        try posterior(images).mean
    }

    /// The encoder's moments [B, 2 * latent, H/f, W/f]: mean, then log-variance (unclamped).
    func moments(_ images: Tensor) throws -> Tensor {
        guard images.rank == 4, images.shape[1] == configuration.inChannels, images.shape.allSatisfy({ $0 > 0 }) else {
            throw ModelLoadingError.invalidInput(name: "images", reason: "has shape \(images.shape), expected [B, \(configuration.inChannels), H, W] with B, H, W > 0")
        }
        let factor = 1 << (configuration.blockOutChannels.count - 1)
        guard images.shape[2] % factor == 0, images.shape[3] % factor == 0 else {
            throw ModelLoadingError.invalidInput(name: "images", reason: "height and width \(images.shape[2])x\(images.shape[3]) must be multiples of \(factor)")
        }
        var hidden = encoderConvIn(images)
        for block in encoderBlocks {
            try Task.checkCancellation()
            for resnet in block.resnets { hidden = resnet(hidden) }
            if let downsampler = block.downsampler { hidden = downsampler(hidden) }
        }
        hidden = encoderMid(hidden)
        let moments = encoderConvOut(encoderNormOut(hidden, fusedSiLU: true))
        return quantConv.map { $0(moments) } ?? moments
    }

    /// Images [B, out, h*f, w*f] (about [-1, 1], not clamped) from unscaled latents [B, latent, h, w].
    public func decode(_ latents: Tensor) throws -> Tensor {
        guard latents.rank == 4, latents.shape[1] == configuration.latentChannels, latents.shape.allSatisfy({ $0 > 0 }) else {
            throw ModelLoadingError.invalidInput(name: "latents", reason: "has shape \(latents.shape), expected [B, \(configuration.latentChannels), h, w] with B, h, w > 0")
        }
        var hidden = postQuantConv.map { $0(latents) } ?? latents
        hidden = decoderMid(decoderConvIn(hidden))
        for block in decoderBlocks {
            try Task.checkCancellation()
            for resnet in block.resnets { hidden = resnet(hidden) }
            if let upsampler = block.upsampler { hidden = upsampler(hidden) }
        }
        return decoderConvOut(decoderNormOut(hidden, fusedSiLU: true))
    }
}
