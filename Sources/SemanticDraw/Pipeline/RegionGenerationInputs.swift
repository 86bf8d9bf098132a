import Schedulers
import TensorRuntime

/// A prompt as text (tokenized with the model's tokenizer) or as token ids already padded to the
/// encoder's length (used by tests with tokenizer-less fixture encoders).
public enum PromptInput: Sendable, Equatable {
    case text(String)
    case tokenIDs([Int])
}

/// One semantic brush of a one-shot generation (docs/ALGORITHM.md §2-§4).
public struct RegionBrush: Sendable {
    public var prompt: PromptInput
    /// Used when guidance > 1; the empty prompt when nil.
    public var negativePrompt: PromptInput?
    /// [H0, W0] in 0...1, 1 = inside; resized bilinearly to the canvas when its size differs.
    public var mask: Tensor
    public var maskAlpha: Float
    /// Gaussian blur standard deviation in image pixels (0 = none).
    public var maskBlur: Double
    /// s_p: the brush embedding becomes lerp(e_bg, e_p, s_p).
    public var promptStrength: Float

    public init(prompt: PromptInput, negativePrompt: PromptInput? = nil, mask: Tensor, maskAlpha: Float = 1,
                maskBlur: Double = 1, promptStrength: Float = 1) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.mask = mask
        self.maskAlpha = maskAlpha
        self.maskBlur = maskBlur
        self.promptStrength = promptStrength
    }
}

/// The background: an image and/or a prompt (docs/ALGORITHM.md §4 cases (a)-(d)).
public struct RegionBackground: Sendable {
    /// [H0, W0, 3] in 0...1 (channels last), resized bicubically to the canvas.
    public var image: Tensor?
    public var prompt: PromptInput?
    public var negativePrompt: PromptInput?

    public init(image: Tensor? = nil, prompt: PromptInput? = nil, negativePrompt: PromptInput? = nil) {
        self.image = image
        self.prompt = prompt
        self.negativePrompt = negativePrompt
    }
}

/// Everything else a one-shot generation needs; defaults as docs/ALGORITHM.md (SemanticDraw with
/// LCM). ``baseline(height:width:)`` gives the baseline MultiDiffusion's defaults instead.
public struct RegionGenerationSettings: Sendable {
    public var height: Int
    public var width: Int
    /// SemanticDraw (Algorithm S2, default) or the baseline MultiDiffusion (Algorithm S1).
    public var method: RegionGenerationMethod = .semanticDraw
    /// SemanticDraw: the scheduler (default LCM; presets choose others, ``Preset``); the
    /// baseline always runs DDIM with eta 0.
    public var scheduler: SchedulerChoice = .lcm
    /// SemanticDraw: the scheduler's slots (LCM default [0, 4, 12, 25, 37]) or steps; baseline:
    /// DDIM steps (`.steps(50)`).
    public var schedule: SlotSchedule = .defaultSlots
    /// Classifier-free guidance scale; <= 1 skips the unconditional pass (baseline: 7.5).
    public var guidance: Float = 1
    /// Guidance rescaling when guidance > 1 (0: none; the SDXL presets: 0.7).
    public var guidanceRescale: Float = 0
    /// SemanticDraw: slots bootstrapped with the white/background latent.
    public var bootstrapSteps: Int = 1
    public var bootstrapMix: Float = 1
    public var quantization: MaskQuantization = .discrete
    /// Tile in image pixels (768 for SD1.5); larger canvases are generated in views.
    public var tilePixels: Int = 768
    /// Case (d)'s background prompt.
    public var whitePrompt: PromptInput = .text("simple white background image")
    /// Case (b)'s background prompt when no captioner runs: the empty prompt.
    public var captionPrompt: PromptInput = .text("")
    /// The empty prompt, the default negative prompt.
    public var emptyPrompt: PromptInput = .text("")
    /// SemanticDraw: posterior sample in the authors' draw order (default) or posterior mean.
    public var imageEncoding: ImageEncoding = .posteriorSample
    /// SemanticDraw: the side of the authors' cached white image (R13: 768 for SD1.5, 1024 for SDXL).
    public var whiteCachePixels: Int = 768
    /// SemanticDraw: how random numbers are drawn (the SD1.5 reference's, or the authors' SDXL pipeline's).
    public var randomNumbers: RandomNumberContract = .perSlot
    /// Baseline only: the fraction of the steps, `Int(fraction * steps)`, that bootstrap each
    /// brush with a random constant colour (0.4, docs/REFERENCE_PIPELINE.md R11).
    public var baselineBootstrapFraction: Double = 0.4

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// Takes a preset's one-shot defaults: scheduler for `schedule` (the preset's default when
    /// nil), guidance and its rescale, tile, the white cache and the random-number contract.
    public mutating func apply(_ preset: Preset, schedule: SlotSchedule? = nil, eta: Float? = nil) {
        self.schedule = schedule ?? preset.defaultSchedule
        scheduler = preset.scheduler(for: self.schedule, eta: eta)
        guidance = preset.guidance
        guidanceRescale = preset.guidanceRescale
        tilePixels = preset.tilePixels
        whiteCachePixels = preset.whiteCachePixels
        randomNumbers = preset.randomNumbers
    }
}

/// What a one-shot generation returns.
public struct RegionGenerationOutput: Sendable {
    /// The final latent [1, C, h, w] (scaled, as the UNet sees it).
    public let latent: Tensor
    /// The decoded image [3, H, W] in 0...1.
    public let decoded: Tensor
    /// The decoded image blended with the background image (cases a, b, d), [3, H, W].
    public let image: Tensor
}
