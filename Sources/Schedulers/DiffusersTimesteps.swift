/// The timestep lists of diffusers 0.42.1 `set_timesteps(n)`, reproduced with numpy's float64
/// arithmetic (`np.linspace`, `np.arange`, `np.round`: round half to even).
enum DiffusersTimesteps {
    /// `np.linspace(0, stop, count)` (endpoint included), in float64.
    static func numpyLinspace(stop: Double, count: Int) -> [Double] {
        guard count > 1 else { return count == 1 ? [0] : [] }
        let step = stop / Double(count - 1)
        return (0..<count).map { $0 == count - 1 ? stop : Double($0) * step }
    }

    /// The spaced timesteps of DDIM and Euler `set_timesteps(count)` before any float32
    /// conversion, largest first: leading (plus `steps_offset`), trailing, or linspace (DDIM
    /// rounds the linspace values half to even; Euler keeps them, see `roundsLinspace`).
    static func spaced(_ spacing: TimestepSpacing, trainingTimestepCount total: Int, count: Int,
                       stepsOffset: Int, roundsLinspace: Bool) -> [Double] {
        switch spacing {
        case .linspace:
            let values = numpyLinspace(stop: Double(total - 1), count: count).reversed()
            return roundsLinspace ? values.map { $0.rounded(.toNearestOrEven) } : Array(values)
        case .leading:
            let ratio = total / count
            return (0..<count).reversed().map { Double($0 * ratio + stepsOffset) }
        case .trailing:
            // np.round(np.arange(N, 0, -N/n)) - 1. numpy's arange has length ceil(-N / (-N/n)),
            // element 1 = N + step and element i >= 2 = N + i * ((N + step) - N).
            let start = Double(total), step = -Double(total) / Double(count)
            let length = Int(((0 - start) / step).rounded(.up))
            let delta = (start + step) - start
            return (0..<length).map { index -> Double in
                let value = index == 0 ? start : index == 1 ? start + step : start + Double(index) * delta
                return value.rounded(.toNearestOrEven) - 1
            }
        }
    }

    /// LCM's grid: `original_inference_steps` timesteps (k, 2k, ..., original * k) - 1 with
    /// k = N div original, largest first (999, 979, ..., 19 for N = 1000, original = 50).
    static func consistencyGrid(trainingTimestepCount total: Int, originalSteps: Int) -> [Int] {
        let spacing = total / originalSteps
        return (1...originalSteps).reversed().map { $0 * spacing - 1 }
    }

    /// The timesteps of a schedule on LCM's grid (LCM, TCD): ``SlotSchedule/steps(_:)`` is
    /// `set_timesteps(n)` with `strength` 1 (n at most `original_inference_steps`),
    /// ``SlotSchedule/slots(_:)`` indexes the grid.
    static func consistency(_ schedule: SlotSchedule, configuration: SchedulerConfiguration) throws(SchedulerError) -> [Int] {
        switch schedule {
        case let .steps(count):
            let count = try schedule.checkedStepCount(count, configuration: configuration, maximum: configuration.originalInferenceSteps)
            return consistency(trainingTimestepCount: configuration.trainingTimestepCount,
                               originalSteps: configuration.originalInferenceSteps, count: count)
        case let .slots(slots):
            return try schedule.gridTimesteps(slots, configuration: configuration)
        }
    }

    /// `LCMScheduler.set_timesteps(count)` with `strength` 1: `count` indices
    /// floor(linspace(0, original, count, endpoint=False)) into the grid.
    static func consistency(trainingTimestepCount total: Int, originalSteps: Int, count: Int) -> [Int] {
        let grid = consistencyGrid(trainingTimestepCount: total, originalSteps: originalSteps)
        let step = Double(grid.count) / Double(count)
        return (0..<count).map { grid[Int((Double($0) * step).rounded(.down))] }
    }
}
