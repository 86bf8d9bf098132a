/// The enumerated string fields of `scheduler_config.json` that this module implements.
/// Each raw value is the diffusers spelling; values diffusers knows but this module does not
/// implement are rejected when the configuration is read, naming the file, field and value.

/// `beta_schedule`: how the training betas are spaced.
public enum BetaSchedule: String, Sendable, CaseIterable, Codable {
    /// Betas linear from `beta_start` to `beta_end` (float32 `torch.linspace`).
    case linear
    /// sqrt(beta) linear from sqrt(`beta_start`) to sqrt(`beta_end`), squared (SD1.x/2.x/XL).
    case scaledLinear = "scaled_linear"
}

/// `prediction_type`: what the network predicts.
public enum PredictionType: String, Sendable, CaseIterable, Codable {
    /// The noise eps.
    case epsilon
    /// v = a_t * eps - b_t * x0 (SD2 768 px models).
    case vPrediction = "v_prediction"
}

/// `timestep_spacing`: how `set_timesteps(n)` picks n training timesteps (DDIM and Euler;
/// LCM ignores it, as diffusers does).
public enum TimestepSpacing: String, Sendable, CaseIterable, Codable {
    /// (0, r, 2r, ..., (n-1)r) reversed plus `steps_offset`, r = N div n.
    case leading
    /// round(N, N - N/n, ..., N/n) - 1 (round half to even).
    case trailing
    /// linspace(0, N - 1, n) reversed (DDIM rounds it half to even; Euler keeps fractions).
    case linspace
}

/// `final_sigmas_type` (Euler): the sigma after the last slot.
public enum FinalSigmasType: String, Sendable, CaseIterable, Codable {
    /// 0: the last step lands on the clean sample.
    case zero
    /// The smallest training sigma, sqrt((1 - abar_0) / abar_0).
    case sigmaMinimum = "sigma_min"
}
