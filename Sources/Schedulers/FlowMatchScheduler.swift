import TensorRuntime

/// What the flow-matching schedulers (``FlowMatchEulerDiscreteScheduler`` and
/// ``FlashFlowMatchEulerDiscreteScheduler``) share: the latent of a slot is the rectified-flow
/// interpolation x = (1 − σ)·x0 + σ·n, the model input is x itself, `init_noise_sigma` is 1, and
/// the only per-slot coefficient is σ. They differ in how they split the step.
public protocol FlowMatchScheduler: DiffusionScheduler {
    /// σ of each slot plus the sigma after the last slot (slotCount + 1 values).
    var sigmas: [Float] { get }
}

extension FlowMatchScheduler {
    public var initialNoiseSigma: Float { 1 }

    public var coefficients: [SchedulerCoefficient] {
        [SchedulerCoefficient(key: "sigma", values: Array(sigmas.dropLast()))]
    }

    /// x itself (flow matching scales nothing).
    public func scaleModelInput(_ sample: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.copy(("sample", sample), slots: slots, slotCount: slotCount)
    }

    /// σ·n + (1 − σ)·x0 at the slot's sigma (diffusers' and the Flash fork's `scale_noise`).
    public func addNoise(_ original: Tensor, noise: Tensor, slots: [Int]) throws(SchedulerError) -> Tensor {
        try PerSampleKernel.combine(("original", original), ("noise", noise), slots: slots, slotCount: slotCount) { slot in
            (1 - sigmas[slot], sigmas[slot])
        }
    }
}

/// The per-slot tables of a flow-matching schedule: sigmas (``FlowMatchSigmas/scheduleSigmas(_:configuration:)``),
/// the timesteps the network receives, and the mask quantisation levels
/// (``FlowMatchSigmas/levels(_:)``).
struct FlowMatchSlotTable {
    /// σ of each slot plus the final 0.
    let sigmas: [Float]
    let timesteps: [Float]
    let signalLevel: [Float]
    let noiseLevel: [Float]

    /// - Throws: ``SchedulerError`` for an invalid schedule.
    init(_ schedule: SlotSchedule, configuration: SchedulerConfiguration) throws(SchedulerError) {
        sigmas = try FlowMatchSigmas.scheduleSigmas(schedule, configuration: configuration)
        let slotSigmas = Array(sigmas.dropLast())
        timesteps = FlowMatchSigmas.timesteps(slotSigmas, configuration: configuration)
        let levels = slotSigmas.map(FlowMatchSigmas.levels)
        signalLevel = levels.map(\.signal)
        noiseLevel = levels.map(\.noise)
    }
}
