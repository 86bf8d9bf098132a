import Foundation
import TensorRuntime

/// diffusers' `AutoencoderTiny` (TAESD; models/autoencoders/autoencoder_tiny.py and vae.py's
/// `EncoderTiny`/`DecoderTiny`, diffusers 0.42). Layers are an `nn.Sequential`, so keys are
/// `encoder.layers.<index>` with indices also counted for weightless layers (activations,
/// upsampling). `encode` maps [-1, 1] images to latents; `decode` maps latents to [-1, 1].
public struct AutoencoderTiny: Sendable {
    /// The decoded configuration.
    public let configuration: AutoencoderTinyConfiguration
    let encoderLayers: [TinyLayer]
    let decoderLayers: [TinyLayer]

    /// One entry of the sequential stacks.
    enum TinyLayer: Sendable {
        case convolution(Conv2d)
        case block(AutoencoderTinyBlock)
        case activation(Activation)
        case upsample(factor: Int)

        func callAsFunction(_ input: Tensor) -> Tensor {
            switch self {
            case .convolution(let conv): return conv(input)
            case .block(let block): return block(input)
            case .activation(let activation): return input.activated(activation)
            case .upsample(let factor): return input.upsampleNearest(factor: factor)
            }
        }
    }

    /// Loads from a TAESD folder (`config.json` + `diffusion_pytorch_model.safetensors`).
    public init(folder: String) throws {
        let component = try ComponentFolder(path: folder, subfolder: "vae", weightBaseName: "diffusion_pytorch_model")
        let configuration = try AutoencoderTinyConfiguration.load(path: component.configurationPath)
        let store = try ParameterStore(path: component.weightsPath)
        try self.init(configuration: configuration, store: store)
        try store.finish()
    }

    /// Builds the network from `store`, taking every parameter under its diffusers key.
    public init(configuration: AutoencoderTinyConfiguration, store: ParameterStore) throws {
        self.configuration = configuration
        let activation = Activation(rawValue: configuration.activation) ?? .relu
        var encoder: [TinyLayer] = []
        let encoderPath = KeyPath("encoder.layers")
        for (index, blockCount) in configuration.encoderBlockCounts.enumerated() {
            let channels = configuration.encoderBlockOutChannels[index]
            if index == 0 {
                encoder.append(.convolution(try Conv2d(store, encoderPath.appending(encoder.count), inChannels: configuration.inChannels,
                                                       outChannels: channels, kernelSize: 3, padding: Padding2D(1))))
            } else {
                encoder.append(.convolution(try Conv2d(store, encoderPath.appending(encoder.count), inChannels: channels, outChannels: channels,
                                                       kernelSize: 3, stride: 2, padding: Padding2D(1), bias: false)))
            }
            for _ in 0..<blockCount {
                encoder.append(.block(try AutoencoderTinyBlock(store, encoderPath.appending(encoder.count), inChannels: channels,
                                                               outChannels: channels, activation: activation)))
            }
        }
        encoder.append(.convolution(try Conv2d(store, encoderPath.appending(encoder.count),
                                               inChannels: configuration.encoderBlockOutChannels[configuration.encoderBlockOutChannels.count - 1],
                                               outChannels: configuration.latentChannels, kernelSize: 3, padding: Padding2D(1))))
        encoderLayers = encoder

        var decoder: [TinyLayer] = []
        let decoderPath = KeyPath("decoder.layers")
        decoder.append(.convolution(try Conv2d(store, decoderPath.appending(0), inChannels: configuration.latentChannels,
                                               outChannels: configuration.decoderBlockOutChannels[0], kernelSize: 3, padding: Padding2D(1))))
        decoder.append(.activation(activation))
        for (index, blockCount) in configuration.decoderBlockCounts.enumerated() {
            let isFinal = index == configuration.decoderBlockCounts.count - 1
            let channels = configuration.decoderBlockOutChannels[index]
            for _ in 0..<blockCount {
                decoder.append(.block(try AutoencoderTinyBlock(store, decoderPath.appending(decoder.count), inChannels: channels,
                                                               outChannels: channels, activation: activation)))
            }
            if !isFinal { decoder.append(.upsample(factor: configuration.upsamplingScalingFactor)) }
            decoder.append(.convolution(try Conv2d(store, decoderPath.appending(decoder.count), inChannels: channels,
                                                   outChannels: isFinal ? configuration.outChannels : channels,
                                                   kernelSize: 3, padding: Padding2D(1), bias: isFinal)))
        }
        decoderLayers = decoder
    }

    /// Latents of images [B, in, H, W] in [-1, 1] (the encoder rescales to [0, 1] first).
    public func encode(_ images: Tensor) throws -> Tensor {
        guard images.rank == 4, images.shape[1] == configuration.inChannels, images.shape.allSatisfy({ $0 > 0 }) else {
            throw ModelLoadingError.invalidInput(name: "images", reason: "has shape \(images.shape), expected [B, \(configuration.inChannels), H, W] with B, H, W > 0")
        }
        var hidden = images.affine(scale: 0.5, shift: 0.5)
        for layer in encoderLayers {
            try Task.checkCancellation()
            hidden = layer(hidden)
        }
        return hidden
    }

    /// Images in about [-1, 1] from latents [B, latent, h, w]: tanh(x/3)*3, the stack, then 2x-1.
    public func decode(_ latents: Tensor) throws -> Tensor {
        guard latents.rank == 4, latents.shape[1] == configuration.latentChannels, latents.shape.allSatisfy({ $0 > 0 }) else {
            throw ModelLoadingError.invalidInput(name: "latents", reason: "has shape \(latents.shape), expected [B, \(configuration.latentChannels), h, w] with B, h, w > 0")
        }
        var hidden = latents.affine(scale: 1.0 / 3.0, shift: 0).activated(.tanh).affine(scale: 3, shift: 0)
        for layer in decoderLayers {
            try Task.checkCancellation()
            hidden = layer(hidden)
        }
        return hidden.affine(scale: 2, shift: -1)
    }
}

/// diffusers' `AutoencoderTinyBlock`: conv-act-conv-act-conv (`conv.0`, `conv.2`, `conv.4`) plus
/// a skip (1x1 `skip` without bias when channels change), then ReLU.
struct AutoencoderTinyBlock: Sendable {
    let conv0: Conv2d, conv2: Conv2d, conv4: Conv2d
    let skip: Conv2d?
    let activation: Activation

    init(_ store: ParameterStore, _ path: KeyPath, inChannels: Int, outChannels: Int, activation: Activation) throws {
        conv0 = try Conv2d(store, path.appending("conv", 0), inChannels: inChannels, outChannels: outChannels, kernelSize: 3, padding: Padding2D(1))
        conv2 = try Conv2d(store, path.appending("conv", 2), inChannels: outChannels, outChannels: outChannels, kernelSize: 3, padding: Padding2D(1))
        conv4 = try Conv2d(store, path.appending("conv", 4), inChannels: outChannels, outChannels: outChannels, kernelSize: 3, padding: Padding2D(1))
        skip = inChannels == outChannels ? nil
            : try Conv2d(store, path.appending("skip"), inChannels: inChannels, outChannels: outChannels, kernelSize: 1, bias: false)
        self.activation = activation
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        let hidden = conv4(conv2(conv0(input).activated(activation)).activated(activation))
        hidden.addInPlace(skip.map { $0(input) } ?? input)
        return hidden.activated(.relu)
    }
}
