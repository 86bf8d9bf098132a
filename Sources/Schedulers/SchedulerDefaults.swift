/// The constructor defaults of the diffusers 0.42.1 scheduler classes (and of the Flash fork's
/// `FlashFlowMatchEulerDiscreteScheduler`: `num_train_timesteps` 1000, `shift` 1.0), and the per-field copy
/// that ``SchedulerConfiguration/adapted(to:)`` applies to fields absent from a file.
extension SchedulerConfiguration {
    /// The configuration diffusers' class for `kind` has when built with no arguments.
    public static func defaults(for kind: SchedulerKind, file: String = "(defaults)") -> SchedulerConfiguration {
        // LCMScheduler and TCDScheduler share every default this module reads.
        let hasLatentDiffusionBetas = kind == .lcm || kind == .tcd
        return SchedulerConfiguration(
            sourceFile: file,
            className: kind.diffusersClassName,
            trainingTimestepCount: 1000,
            betaStart: hasLatentDiffusionBetas ? 0.00085 : 0.0001,
            betaEnd: hasLatentDiffusionBetas ? 0.012 : 0.02,
            betaSchedule: hasLatentDiffusionBetas ? .scaledLinear : .linear,
            predictionType: .epsilon,
            timestepSpacing: kind == .euler ? .linspace : .leading,
            stepsOffset: 0,
            setAlphaToOne: true,
            clipSample: kind == .ddim,
            clipSampleRange: 1.0,
            originalInferenceSteps: 50,
            timestepScaling: 10.0,
            finalSigmasType: .zero,
            interpolationType: "linear",
            timestepType: "discrete",
            thresholding: false,
            rescaleBetasZeroSNR: false,
            useKarrasSigmas: false,
            useExponentialSigmas: false,
            useBetaSigmas: false,
            hasTrainedBetas: false,
            shift: 1.0,
            useDynamicShifting: false,
            invertSigmas: false,
            shiftTerminal: nil,
            stochasticSampling: false,
            presentFields: []
        )
    }

    /// One copier per diffusers key: copies that field's value from `source` into `target`.
    static let fieldCopiers: [(key: String, copy: @Sendable (SchedulerConfiguration, inout SchedulerConfiguration) -> Void)] = [
        ("num_train_timesteps", { $1.trainingTimestepCount = $0.trainingTimestepCount }),
        ("beta_start", { $1.betaStart = $0.betaStart }),
        ("beta_end", { $1.betaEnd = $0.betaEnd }),
        ("beta_schedule", { $1.betaSchedule = $0.betaSchedule }),
        ("prediction_type", { $1.predictionType = $0.predictionType }),
        ("timestep_spacing", { $1.timestepSpacing = $0.timestepSpacing }),
        ("steps_offset", { $1.stepsOffset = $0.stepsOffset }),
        ("set_alpha_to_one", { $1.setAlphaToOne = $0.setAlphaToOne }),
        ("clip_sample", { $1.clipSample = $0.clipSample }),
        ("clip_sample_range", { $1.clipSampleRange = $0.clipSampleRange }),
        ("original_inference_steps", { $1.originalInferenceSteps = $0.originalInferenceSteps }),
        ("timestep_scaling", { $1.timestepScaling = $0.timestepScaling }),
        ("final_sigmas_type", { $1.finalSigmasType = $0.finalSigmasType }),
        ("interpolation_type", { $1.interpolationType = $0.interpolationType }),
        ("timestep_type", { $1.timestepType = $0.timestepType }),
        ("thresholding", { $1.thresholding = $0.thresholding }),
        ("rescale_betas_zero_snr", { $1.rescaleBetasZeroSNR = $0.rescaleBetasZeroSNR }),
        ("use_karras_sigmas", { $1.useKarrasSigmas = $0.useKarrasSigmas }),
        ("use_exponential_sigmas", { $1.useExponentialSigmas = $0.useExponentialSigmas }),
        ("use_beta_sigmas", { $1.useBetaSigmas = $0.useBetaSigmas }),
        ("shift", { $1.shift = $0.shift }),
        ("use_dynamic_shifting", { $1.useDynamicShifting = $0.useDynamicShifting }),
        ("invert_sigmas", { $1.invertSigmas = $0.invertSigmas }),
        ("shift_terminal", { $1.shiftTerminal = $0.shiftTerminal }),
        ("stochastic_sampling", { $1.stochasticSampling = $0.stochasticSampling }),
    ]
}
