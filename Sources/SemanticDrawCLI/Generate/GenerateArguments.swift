/// `semantic-draw generate`'s command line, read in order: per-brush options belong to the
/// `--prompt` before them; the same options before the first `--prompt` set every brush's
/// default. ArgumentParser cannot express that grouping, so this small parser does (it is pure
/// and tested on its own). The options themselves are the rows of ``GenerateOption/all``.
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

    /// A `--lora` and its `--lora-scale` (nil: 1).
    struct LoRA: Equatable {
        var path: String
        var scale: Float?
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
    var captionBackground = false
    var captioner: String?
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
    var loras: [LoRA] = []
    var tinyAutoencoder: String?
    var accelerator: String?
    var acceleratorLoRA: String?
    var eta: Float?
    var precision: String?
    var output: String?
    var savePalette: String?
    var baseline = false
    var posteriorMean = false
    var help = false
}
