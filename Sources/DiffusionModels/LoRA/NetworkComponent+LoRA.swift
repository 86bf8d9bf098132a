import TensorRuntime

extension NetworkComponent {
    /// Whether LoRAs can be fused into this component's network (UNet and text encoder).
    public var acceptsLoRAs: Bool { self == .unet || self == .textEncoder }
}
