import TensorRuntime

/// The stream's random state (docs/ALGORITHM.md §5): the seeded torch-compatible generator, the fixed
/// per-slot init_noise (its first draw, T x C x h x w), the stock-noise delay line and the
/// buffer of the T - 1 latents in flight (slots 1..T-1).
struct StreamNoiseState {
    private(set) var generator: TorchGenerator
    /// [T, C, h, w]: slot k's latent is re-noised into slot k + 1 with init_noise[k + 1].
    let initialNoise: Tensor
    /// [T, C, h, w]: zeros at reseed; each frame shifts it by one slot with init_noise[0]
    /// entering at slot 0. Slot k's bootstrap latent is noised with stock_noise[k].
    private(set) var stockNoise: Tensor
    /// [T - 1, C, h, w]: the latents entering slots 1..T-1 next frame (zeros at reseed).
    var buffer: Tensor

    /// The state right after seeding with `seed`.
    init(seed: UInt64, slotCount: Int, channels: Int, height: Int, width: Int) {
        var generator = TorchGenerator(seed: seed)
        initialNoise = generator.normal(shape: [slotCount, channels, height, width])
        self.generator = generator
        stockNoise = Tensor.zeros([slotCount, channels, height, width])
        buffer = Tensor.zeros([slotCount - 1, channels, height, width])
    }

    var slotCount: Int { initialNoise.shape[0] }

    /// Step 2 of a frame: x = [the next 1 x C x h x w draw for slot 0 times `initialNoiseSigma`,
    /// buffer] ([T, C, h, w]), and the stock noise shifted by one slot. The scale is the
    /// scheduler's `init_noise_sigma` (1 for LCM, DDIM, TCD; sigma_max for Euler with "trailing"
    /// spacing, where the authors' SDXL stream feeds unit noise: docs/ALGORITHM.md §5's Decision).
    mutating func nextInput(initialNoiseSigma: Float = 1) -> Tensor {
        let shape = Array(initialNoise.shape.dropFirst())
        var fresh = generator.normal(shape: [1] + shape)
        if initialNoiseSigma != 1 { fresh = fresh * initialNoiseSigma }
        let slotCount = self.slotCount
        stockNoise = Tensor.concatenateOuter([initialNoise.slice(outer: 0, length: 1),
                                              stockNoise.slice(outer: 0, length: slotCount - 1)])
        return Tensor.concatenateOuter([fresh, buffer])
    }

    /// init_noise[1..T-1], the noise of the re-noising step.
    var renoisingNoise: Tensor { initialNoise.slice(outer: 1, length: slotCount - 1) }
}
