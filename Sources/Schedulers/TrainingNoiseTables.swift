/// The training noise tables of diffusers' DDPM-family schedulers (`betas`, `alphas_cumprod`),
/// built bit for bit as diffusers 0.42.1 with torch 2.13.0 builds them on the CPU in float32.
///
/// - `scaled_linear`: `torch.linspace(beta_start**0.5, beta_end**0.5, N, dtype=float32) ** 2`;
///   `linear`: `torch.linspace(beta_start, beta_end, N, dtype=float32)`.
/// - torch's float32 linspace: step = float32((end - start) / (N - 1)) computed in float32 from
///   the float32 ends; value i = fma(i, step, start) for i < N/2, fma(-(N-1-i), step, end)
///   otherwise, each rounded once to float32 (a multiply-then-add differs in ~15% of entries).
/// - alphas = float32(1 - beta); `alphas_cumprod` = `torch.cumprod`, which on the CPU
///   accumulates in float64 and rounds each running product to float32 (a float32 running
///   product differs in 944 of 1000 SD1.5 entries).
public struct TrainingNoiseTables: Sendable, Equatable {
    /// `betas`, one per training timestep 0..<N.
    public let betas: [Float]
    /// `alphas_cumprod`: abar_t = prod_{s <= t} (1 - beta_s), one per training timestep.
    public let alphaBar: [Float]

    /// Builds the tables of `configuration` (its `beta_schedule`, `beta_start`, `beta_end`,
    /// `num_train_timesteps`).
    /// - Throws: ``SchedulerError/unsupportedValue(file:field:value:supported:)`` for
    ///   `trained_betas` and `rescale_betas_zero_snr`, which are not implemented.
    public init(configuration: SchedulerConfiguration) throws(SchedulerError) {
        if configuration.hasTrainedBetas {
            throw .unsupportedValue(file: configuration.sourceFile, field: "trained_betas", value: "a list of betas",
                                    supported: ["null (betas from beta_start, beta_end, beta_schedule)"])
        }
        if configuration.rescaleBetasZeroSNR {
            throw .unsupportedValue(file: configuration.sourceFile, field: "rescale_betas_zero_snr", value: "true", supported: ["false"])
        }
        let count = configuration.trainingTimestepCount
        switch configuration.betaSchedule {
        case .linear:
            betas = TrainingNoiseTables.torchLinspace(start: Float(configuration.betaStart), end: Float(configuration.betaEnd), count: count)
        case .scaledLinear:
            let roots = TrainingNoiseTables.torchLinspace(
                start: Float(configuration.betaStart.squareRoot()), end: Float(configuration.betaEnd.squareRoot()), count: count)
            betas = roots.map { $0 * $0 }
        }
        alphaBar = TrainingNoiseTables.cumulativeProduct(betas.map { 1 - $0 })
    }

    /// `torch.linspace(start, end, count, dtype=torch.float32)` on the CPU, bit for bit.
    public static func torchLinspace(start: Float, end: Float, count: Int) -> [Float] {
        guard count > 1 else { return count == 1 ? [start] : [] }
        let step = (end - start) / Float(count - 1)
        let halfway = count / 2
        return (0..<count).map { index in
            index < halfway
                ? start.addingProduct(Float(index), step)
                : end.addingProduct(-Float(count - 1 - index), step)
        }
    }

    /// `torch.cumprod` of float32 values on the CPU: a float64 running product, each partial
    /// product rounded to float32.
    public static func cumulativeProduct(_ values: [Float]) -> [Float] {
        var product = 1.0
        return values.map { value in
            product *= Double(value)
            return Float(product)
        }
    }
}
