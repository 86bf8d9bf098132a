import Schedulers

/// Which algorithm a one-shot generation runs (``RegionGenerationSettings/method``).
public enum RegionGenerationMethod: String, Sendable, Equatable, CaseIterable {
    /// SemanticDraw (the paper's Algorithm S2, docs/ALGORITHM.md §4): an accelerated scheduler (LCM),
    /// bootstrapping with mask centring and leak suppression, latent pre-averaging.
    case semanticDraw
    /// The baseline MultiDiffusion (Algorithm S1, docs/REFERENCE_PIPELINE.md R11), for
    /// comparison only: DDIM with eta 0, the full scheduler step per copy, averaging after the
    /// step, random-colour bootstrapping for the first 40% of the steps. It takes a background
    /// prompt (generated as one more region) or none (uncovered latent pixels become 0); a
    /// background image is not supported; prompt strength is not applied; no pixel blend.
    case baselineMultiDiffusion
    /// Plain text-to-image (``RegionPipeline/textToImage(prompt:negativePrompt:settings:noise:progress:)``):
    /// one brush's prompt over the whole canvas, plain (guided) denoising with the settings'
    /// scheduler and schedule; the brush's mask, alpha, blur and prompt strength, the background
    /// and bootstrapping are not used. What a palette whose only brush has no mask runs.
    case textToImage
}

extension RegionGenerationSettings {
    /// The baseline MultiDiffusion's defaults (Algorithm S1 as in the paper): 50 DDIM steps
    /// (eta 0), guidance 7.5, 40% random-colour bootstrapping, discrete masks, tile 768.
    public static func baseline(height: Int, width: Int) -> RegionGenerationSettings {
        var settings = RegionGenerationSettings(height: height, width: width)
        settings.method = .baselineMultiDiffusion
        settings.schedule = .steps(50)
        settings.guidance = 7.5
        settings.bootstrapSteps = 0
        settings.baselineBootstrapFraction = 0.4
        return settings
    }
}
