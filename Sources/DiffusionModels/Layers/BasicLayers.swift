import TensorRuntime

/// `torch.nn.Linear`: keys `<path>.weight` [out, in] and optionally `<path>.bias` [out]. The
/// weight is bf16 when the store's ``ParameterStore/precision`` says so.
public struct Linear: Sendable {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ store: ParameterStore, _ path: KeyPath, inFeatures: Int, outFeatures: Int, bias hasBias: Bool = true) throws {
        weight = try store.takeWeightMatrix(path.key("weight"), shape: [outFeatures, inFeatures])
        bias = hasBias ? try store.take(path.key("bias"), shape: [outFeatures]) : nil
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { input.linear(weight: weight, bias: bias) }
}

/// `torch.nn.Conv2d`: keys `<path>.weight` [out, in, k, k] and optionally `<path>.bias`; the
/// weight is bf16 when the store's ``ParameterStore/precision`` says so.
public struct Conv2d: Sendable {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Padding2D

    public init(_ store: ParameterStore, _ path: KeyPath, inChannels: Int, outChannels: Int, kernelSize: Int,
                stride: Int = 1, padding: Padding2D = Padding2D(0), bias hasBias: Bool = true) throws {
        weight = try store.takeWeightMatrix(path.key("weight"), shape: [outChannels, inChannels, kernelSize, kernelSize])
        bias = hasBias ? try store.take(path.key("bias"), shape: [outChannels]) : nil
        self.stride = stride
        self.padding = padding
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

/// `torch.nn.GroupNorm` with affine parameters `<path>.weight` and `<path>.bias` [channels].
public struct GroupNorm: Sendable {
    public let weight: Tensor
    public let bias: Tensor
    public let groups: Int
    public let epsilon: Float

    public init(_ store: ParameterStore, _ path: KeyPath, groups: Int, channels: Int, epsilon: Float) throws {
        weight = try store.take(path.key("weight"), shape: [channels])
        bias = try store.take(path.key("bias"), shape: [channels])
        self.groups = groups
        self.epsilon = epsilon
    }

    /// The normalised input, optionally followed by SiLU in the same pass.
    public func callAsFunction(_ input: Tensor, fusedSiLU: Bool = false) -> Tensor {
        input.groupNorm(groups: groups, weight: weight, bias: bias, epsilon: epsilon, fusedSiLU: fusedSiLU)
    }
}

/// `torch.nn.LayerNorm` over the last dimension, `<path>.weight` and `<path>.bias`.
public struct LayerNorm: Sendable {
    public let weight: Tensor
    public let bias: Tensor
    public let epsilon: Float

    public init(_ store: ParameterStore, _ path: KeyPath, features: Int, epsilon: Float) throws {
        weight = try store.take(path.key("weight"), shape: [features])
        bias = try store.take(path.key("bias"), shape: [features])
        self.epsilon = epsilon
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { input.layerNorm(weight: weight, bias: bias, epsilon: epsilon) }
}

/// diffusers' `RMSNorm` (models/normalization.py) over the last dimension: x * rsqrt(mean(x^2) +
/// eps) * `<path>.weight` [features].
public struct RMSNorm: Sendable {
    public let weight: Tensor
    public let epsilon: Float

    public init(_ store: ParameterStore, _ path: KeyPath, features: Int, epsilon: Float) throws {
        weight = try store.take(path.key("weight"), shape: [features])
        self.epsilon = epsilon
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { input.rmsNorm(weight: weight, epsilon: epsilon) }
}
