/// The sigmas and timesteps of diffusers 0.42.1 `FlowMatchEulerDiscreteScheduler.set_timesteps(n)`
/// without dynamic shifting, which the Flash fork's `FlashFlowMatchEulerDiscreteScheduler`
/// computes identically (checked bit for bit by the fixture script), in the same arithmetic:
///
/// 1. the constructor's float32 table: t = N, N−1, …, 1, s = t / N, shifted
///    shift·s / (1 + (shift − 1)·s) in float32; sigma_max = its first entry, sigma_min its last;
/// 2. `np.linspace(sigma_max·N, sigma_min·N, n)` in float64, divided by N, shifted again (in
///    float64: the schedule is shifted twice, as diffusers does), rounded to float32;
/// 3. timesteps = sigma·N in float32; the sigmas end with a final 0.
enum FlowMatchSigmas {
    /// The n-step sigmas (n values, without the final 0), largest first.
    static func sigmas(steps count: Int, configuration: SchedulerConfiguration) -> [Float] {
        let total = configuration.trainingTimestepCount, shift = configuration.shift
        let shift32 = Float(shift), shiftMinusOne32 = Float(shift - 1)
        func shifted32(_ sigma: Float) -> Float { shift32 * sigma / (1 + shiftMinusOne32 * sigma) }
        let sigmaMaximum = shifted32(Float(total) / Float(total))
        let sigmaMinimum = shifted32(Float(1) / Float(total))
        let spaced = numpyLinspace(start: Double(sigmaMaximum) * Double(total), stop: Double(sigmaMinimum) * Double(total),
                                   count: count)
        return spaced.map { timestep in
            let sigma = timestep / Double(total)
            return Float(shift * sigma / (1 + (shift - 1) * sigma))
        }
    }

    /// The timestep the network receives at each sigma: sigma·N in float32.
    static func timesteps(_ sigmas: [Float], configuration: SchedulerConfiguration) -> [Float] {
        sigmas.map { $0 * Float(configuration.trainingTimestepCount) }
    }

    /// The sigmas of a schedule, largest first, plus the sigma after the last slot (0):
    /// ``SlotSchedule/steps(_:)`` is `set_timesteps(n)`; ``SlotSchedule/slots(_:)`` picks
    /// entries of the `original_inference_steps`-step schedule (the SemanticDraw authors' SD3
    /// set-up: `set_timesteps(50)`, slots [0, 4, 12, 25, 37]), each slot stepping to the next
    /// slot's sigma.
    static func scheduleSigmas(_ schedule: SlotSchedule, configuration: SchedulerConfiguration) throws(SchedulerError) -> [Float] {
        switch schedule {
        case let .steps(count):
            let count = try schedule.checkedStepCount(count, configuration: configuration)
            return sigmas(steps: count, configuration: configuration) + [0]
        case let .slots(slots):
            let grid = sigmas(steps: configuration.originalInferenceSteps, configuration: configuration)
            return try schedule.checkedSlots(slots, gridCount: grid.count).map { grid[$0] } + [0]
        }
    }

    /// `np.linspace(start, stop, count)` (endpoint included) in float64: start + i·step with
    /// step = (stop − start) / (count − 1), the last value exactly `stop`; one value: `start`.
    static func numpyLinspace(start: Double, stop: Double, count: Int) -> [Double] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (stop - start) / Double(count - 1)
        return (0..<count).map { $0 == count - 1 ? stop : Double($0) * step + start }
    }

    /// The SemanticDraw authors' mask quantisation level of a sigma, sigma / sqrt(sigma² + 1)
    /// (their SD3 pipeline reuses Euler's normalisation), and its companion 1 / sqrt(sigma² + 1).
    static func levels(_ sigma: Float) -> (signal: Float, noise: Float) {
        let inverse = 1 / (sigma * sigma + 1).squareRoot()
        return (inverse, sigma * inverse)
    }
}
