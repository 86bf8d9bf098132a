import TensorRuntime

/// diffusers' `ResnetBlock2D` (models/resnet.py, diffusers 0.42) with the "default" time
/// embedding norm and output scale 1: norm1-SiLU-conv1 (+ projected time embedding),
/// norm2-SiLU-conv2, plus a 1x1 `conv_shortcut` when the channel count changes.
public struct ResnetBlock2D: Sendable {
    let norm1: GroupNorm, conv1: Conv2d
    let timeEmbeddingProjection: Linear?
    let norm2: GroupNorm, conv2: Conv2d
    let convShortcut: Conv2d?

    /// `timeEmbeddingChannels` nil builds the VAE variant without `time_emb_proj`.
    public init(_ store: ParameterStore, _ path: KeyPath, inChannels: Int, outChannels: Int,
                timeEmbeddingChannels: Int?, groups: Int, epsilon: Float) throws {
        norm1 = try GroupNorm(store, path.appending("norm1"), groups: groups, channels: inChannels, epsilon: epsilon)
        conv1 = try Conv2d(store, path.appending("conv1"), inChannels: inChannels, outChannels: outChannels, kernelSize: 3, padding: Padding2D(1))
        if let timeEmbeddingChannels {
            timeEmbeddingProjection = try Linear(store, path.appending("time_emb_proj"), inFeatures: timeEmbeddingChannels, outFeatures: outChannels)
        } else {
            timeEmbeddingProjection = nil
        }
        norm2 = try GroupNorm(store, path.appending("norm2"), groups: groups, channels: outChannels, epsilon: epsilon)
        conv2 = try Conv2d(store, path.appending("conv2"), inChannels: outChannels, outChannels: outChannels, kernelSize: 3, padding: Padding2D(1))
        convShortcut = inChannels == outChannels ? nil
            : try Conv2d(store, path.appending("conv_shortcut"), inChannels: inChannels, outChannels: outChannels, kernelSize: 1)
    }

    /// input [B, C, H, W]; activatedTimeEmbedding = SiLU(temb) [B, T] (shared by all blocks).
    public func callAsFunction(_ input: Tensor, activatedTimeEmbedding: Tensor? = nil) -> Tensor {
        var hidden = conv1(norm1(input, fusedSiLU: true))
        if let timeEmbeddingProjection, let activatedTimeEmbedding {
            hidden = hidden.addingPerChannel(timeEmbeddingProjection(activatedTimeEmbedding))
        }
        hidden = conv2(norm2(hidden, fusedSiLU: true))
        let shortcut = convShortcut.map { $0(input) } ?? input
        hidden.addInPlace(shortcut)
        return hidden
    }
}

/// diffusers' `Downsample2D` with a convolution (`<path>.conv`, stride 2). `padding` 1 is the
/// UNet's; 0 is the VAE encoder's, which pads only bottom and right by one first.
public struct Downsample2D: Sendable {
    let conv: Conv2d

    public init(_ store: ParameterStore, _ path: KeyPath, channels: Int, padding: Int) throws {
        let pad = padding == 0 ? Padding2D(top: 0, bottom: 1, left: 0, right: 1) : Padding2D(padding)
        conv = try Conv2d(store, path.appending("conv"), inChannels: channels, outChannels: channels, kernelSize: 3, stride: 2, padding: pad)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { conv(input) }
}

/// diffusers' `Upsample2D` with a convolution: nearest-neighbour upsampling (2x, or to an exact
/// size when the skip connection needs it), then `<path>.conv` 3x3.
public struct Upsample2D: Sendable {
    let conv: Conv2d

    public init(_ store: ParameterStore, _ path: KeyPath, channels: Int) throws {
        conv = try Conv2d(store, path.appending("conv"), inChannels: channels, outChannels: channels, kernelSize: 3, padding: Padding2D(1))
    }

    public func callAsFunction(_ input: Tensor, size: (height: Int, width: Int)? = nil) -> Tensor {
        if let size, size.height != input.shape[2] * 2 || size.width != input.shape[3] * 2 {
            return conv(input.resizedNearest(height: size.height, width: size.width))
        }
        return conv(input.upsampleNearest(factor: 2))
    }
}
