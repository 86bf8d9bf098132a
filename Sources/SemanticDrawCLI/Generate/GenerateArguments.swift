/// `semantic-draw generate`'s command line, read in order: per-brush options belong to the
/// `--prompt` before them; the same options before the first `--prompt` set every brush's
/// default. ArgumentParser cannot express that grouping, so this small parser does (it is pure
/// and tested on its own).
struct GenerateArguments: Equatable {
    /// One brush as given on the command line.
    struct Brush: Equatable {
        var prompt: String
        var negativePrompt: String?
        var mask: String?
        var maskAlpha: Float?
        var maskBlur: Float?
        var promptStrength: Float?
        var name: String?
        var color: String?
    }

    /// Defaults for every brush (options given before the first `--prompt`).
    struct BrushDefaults: Equatable {
        var negativePrompt: String?
        var maskAlpha: Float?
        var maskBlur: Float?
        var promptStrength: Float?
    }

    var palette: String?
    var defaults = BrushDefaults()
    var brushes: [Brush] = []
    var backgroundImage: String?
    var backgroundPrompt: String?
    var backgroundNegativePrompt: String?
    var width: Int?
    var height: Int?
    var seed: UInt64?
    var steps: Int?
    var slots: [Int]?
    var guidance: Float?
    var bootstrapSteps: Int?
    var bootstrapMix: Float?
    var quantization: String?
    var model: String?
    var configurationFolder: String?
    var loras: [(path: String, scale: Float?)] = []
    var tinyAutoencoder: String?
    var accelerator: String?
    var acceleratorLoRA: String?
    var eta: Float?
    var output: String?
    var savePalette: String?
    var baseline = false
    var posteriorMean = false
    var help = false

    static func == (left: GenerateArguments, right: GenerateArguments) -> Bool {
        left.palette == right.palette && left.defaults == right.defaults && left.brushes == right.brushes
            && left.backgroundImage == right.backgroundImage && left.backgroundPrompt == right.backgroundPrompt
            && left.backgroundNegativePrompt == right.backgroundNegativePrompt && left.width == right.width
            && left.height == right.height && left.seed == right.seed && left.steps == right.steps && left.slots == right.slots
            && left.guidance == right.guidance && left.bootstrapSteps == right.bootstrapSteps && left.bootstrapMix == right.bootstrapMix
            && left.quantization == right.quantization && left.model == right.model
            && left.configurationFolder == right.configurationFolder
            && left.loras.map(\.path) == right.loras.map(\.path) && left.loras.map(\.scale) == right.loras.map(\.scale)
            && left.tinyAutoencoder == right.tinyAutoencoder && left.accelerator == right.accelerator
            && left.acceleratorLoRA == right.acceleratorLoRA && left.eta == right.eta && left.output == right.output && left.savePalette == right.savePalette
            && left.baseline == right.baseline && left.posteriorMean == right.posteriorMean && left.help == right.help
    }

    /// Options that belong to a brush (or, before the first `--prompt`, to every brush).
    static let perBrushOptions: Set<String> = ["--negative-prompt", "--mask", "--mask-alpha", "--mask-std", "--mask-blur",
                                                "--prompt-strength", "--brush-name", "--brush-color"]
    /// Per-brush options that may also be given once before the first `--prompt` as defaults.
    static let defaultableOptions: Set<String> = ["--negative-prompt", "--mask-alpha", "--mask-std", "--mask-blur", "--prompt-strength"]
    static let globalOptions: Set<String> = ["--palette", "--background-image", "--background-prompt", "--background-negative-prompt",
                                             "--width", "--height", "--seed", "--steps", "--slots", "--guidance", "--bootstrap-steps",
                                             "--bootstrap-mix", "--quantization", "--model", "--config", "--lora", "--lora-scale",
                                             "--tiny-vae", "--accelerator", "--accelerator-lora", "--eta", "--output", "--save-palette"]
    static let flags: Set<String> = ["--baseline", "--posterior-mean", "--help", "-h"]
}
