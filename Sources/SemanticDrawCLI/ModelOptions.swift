import ArgumentParser
import DiffusionModels
import Schedulers
import SemanticDraw
import TensorRuntime

/// The model options shared by `panorama`, `serve` and `download`: the same names and meaning
/// as in `generate`.
struct ModelOptions: ParsableArguments {
    @Option(help: "A diffusers folder, a .safetensors checkpoint, a Hugging Face repo id, tiny-random, tiny-random-xl or tiny-random-sd3 (default: KBlueLeaf/kohaku-v2.1 + the accelerator LoRA + TAESD; with --accelerator lightning, stabilityai/stable-diffusion-xl-base-1.0 with SDXL-Lightning's distilled UNet + TAESDXL; with --accelerator flash, stabilityai/stable-diffusion-3-medium-diffusers (gated: HF_TOKEN) + jasperai/flash-sd3 + TAESD3).")
    var model: String?

    @Option(name: .customLong("config"), help: "A diffusers folder whose config files describe a single-file checkpoint.")
    var configurationFolder: String?

    @Option(name: .customLong("lora"), help: "A LoRA file, adapter folder or repo id fused into the model (repeatable, in order).")
    var loras: [String] = []

    @Option(name: .customLong("lora-scale"), help: "Scale of the --lora at the same position (repeatable; default 1).")
    var loraScales: [Float] = []

    @Option(name: .customLong("tiny-vae"), help: "Decode with a tiny autoencoder (TAESD): a folder, a repo id (madebyollin/taesd), or tiny-random.")
    var tinyAutoencoder: String?

    @Option(help: "The few-step accelerator: lcm (default for SD1.x), lightning (default for SDXL), flash (default for SD3), hyper-sd or none (docs/PRESETS.md).")
    var accelerator: String?

    @Option(name: .customLong("accelerator-lora"), help: "The accelerator LoRA instead of the preset's: a file, adapter folder (a PEFT adapter: adapter_config.json + adapter_model.safetensors), repo id, or none (the model has it merged).")
    var acceleratorLoRA: String?

    @Option(help: "eta of TCD (hyper-sd with one step; default 1.0).")
    var eta: Float?

    @Option(help: Precision.help)
    var precision: Precision = .fp32

    func validate() throws {
        _ = try preset
        if let eta, !(0...1).contains(eta) { throw ValidationError("--eta \(eta) is outside 0...1") }
        guard loraScales.count <= loras.count else {
            throw ValidationError("\(loraScales.count) --lora-scale values for \(loras.count) --lora (one scale per LoRA, in order)")
        }
    }

    /// The model's family (``ModelFamily/detect(model:)``); without `--model`, the accelerator's
    /// (``Preset/defaultFamily(for:)``: SDXL for lightning, SD3 for flash).
    var family: ModelFamily {
        model == nil ? Preset.defaultFamily(for: accelerator.flatMap { try? Accelerator(parsing: $0) }) : ModelFamily.detect(model: model)
    }

    /// The preset of the model's family and `--accelerator` (the family's default accelerator
    /// when not given).
    var preset: Preset {
        get throws {
            do {
                let chosen = try accelerator.map(Accelerator.init(parsing:)) ?? Preset.defaultAccelerator(for: family)
                return try Preset.preset(family, accelerator: chosen)
            } catch { throw ValidationError("--accelerator: \(error)") }
        }
    }

    /// The scheduler the preset runs `schedule` with (`--eta` for TCD).
    func scheduler(for schedule: SlotSchedule) throws -> SchedulerChoice {
        try preset.scheduler(for: schedule, eta: eta)
    }

    /// The request for a run of `schedule` (the preset's default schedule when nil): the
    /// accelerator LoRA first — `--accelerator-lora`, else the preset's for the step count
    /// (none for tiny-random) — then the --lora files; the default model when --model is
    /// absent (the family's: --accelerator lightning gives SDXL base with the distilled UNet;
    /// --tiny-vae replaces its TAESD).
    func request(schedule: SlotSchedule? = nil) throws -> ModelRequest {
        let references = loras.enumerated().map { LoRAReference(path: $1, scale: $0 < loraScales.count ? loraScales[$0] : 1) }
        var request = ModelRequest(model: model ?? ModelRequest.defaultModelName(for: family), loras: references)
        let preset = try self.preset
        if model == nil { request.tinyAutoencoder = preset.tinyAutoencoder }
        switch acceleratorLoRA {
        case "none"?:
            break
        case let path?:
            request.loras.insert(LoRAReference(path: path), at: 0)
        case nil where model == nil && preset.acceleratedUNet != nil:
            // The default SDXL base: the accelerator's distilled UNet instead of its LoRA (the authors' choice).
            request.unetWeights = try preset.acceleratedUNetReference(for: schedule ?? preset.defaultSchedule)
        case nil:
            if !ModelReference.builtInNames.contains(request.model), let reference = try preset.loraReference(for: schedule ?? preset.defaultSchedule) {
                request.loras.insert(LoRAReference(path: reference), at: 0)
            }
        }
        request.configurationFolder = configurationFolder
        request.precision = precision
        if let tinyAutoencoder { request.tinyAutoencoder = tinyAutoencoder }
        return request
    }
}
