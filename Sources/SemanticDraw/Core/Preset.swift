import Schedulers

/// A model family the SemanticDraw core runs (the seams it plugs into: conditioning, denoiser,
/// scheduler configuration, autoencoder).
public enum ModelFamily: String, Sendable, CaseIterable, Codable {
    /// SD1.x/SD2.x: one CLIP text encoder, the UNet, 4-channel latents.
    case stableDiffusion1 = "sd1"
    /// SDXL: two CLIP text encoders (penultimate states concatenated, pooled embedding), the
    /// UNet with `text_time` inputs, 4-channel latents scaled by 0.13025.
    case stableDiffusionXL = "sdxl"
    /// SD3/SD3.5: two CLIP text encoders (no T5: penultimate states zero-padded to the joint
    /// width plus 256 zero tokens, pooled embeddings of both), the MMDiT transformer predicting
    /// a flow-matching velocity, 16-channel latents shifted by 0.0609 and scaled by 1.5305.
    case stableDiffusion3 = "sd3"

    /// Parses `sd1` (also `sd15`, `sd2`), `sdxl` (also `xl`) or `sd3` (also `sd35`).
    /// - Throws: ``PresetError/unknownFamily(_:)``.
    public init(parsing text: String) throws(PresetError) {
        switch text.lowercased().replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ".", with: "") {
        case "sd1", "sd15", "sd2", "sd21", "stablediffusion1": self = .stableDiffusion1
        case "sdxl", "xl", "stablediffusionxl": self = .stableDiffusionXL
        case "sd3", "sd35", "stablediffusion3", "stablediffusion35": self = .stableDiffusion3
        default: throw .unknownFamily(text)
        }
    }
}

/// A few-step accelerator: the scheduler, LoRA and defaults a model family runs with.
public enum Accelerator: String, Sendable, CaseIterable, Codable {
    /// Latent consistency (LCM-LoRA, LCMScheduler): the paper's accelerator and the default.
    case lcm
    /// ByteDance's Hyper-SD LoRAs: DDIM "trailing" for 2/4/8 steps, TCD for 1 step.
    case hyperSD = "hyper-sd"
    /// ByteDance's SDXL-Lightning (SDXL only): Euler with "trailing" spacing, no guidance, the
    /// authors' SDXL pipeline's accelerator.
    case lightning
    /// Flash Diffusion for SD3 (jasperai/flash-sd3, a PEFT LoRA; SD3 only): the Flash fork's
    /// flow-matching Euler with the split step, no guidance, the authors' SD3 pipeline's accelerator.
    case flash
    /// No accelerator: the model's own scheduler configuration as it is.
    case none

    /// Parses `lcm`, `hyper-sd` (also `hypersd`, `hyper_sd`), `lightning`, `flash` (also
    /// `flash-sd3`) or `none`.
    /// - Throws: ``PresetError/unknownAccelerator(_:)``.
    public init(parsing text: String) throws(PresetError) {
        let normalized = text.lowercased().replacingOccurrences(of: "_", with: "-")
        let aliases = ["hypersd": "hyper-sd", "flash-sd3": "flash"]
        guard let accelerator = Accelerator(rawValue: aliases[normalized] ?? normalized) else {
            throw .unknownAccelerator(text)
        }
        self = accelerator
    }
}

/// Why a preset cannot be used as asked.
public enum PresetError: Error, Equatable, CustomStringConvertible {
    case unknownAccelerator(String)
    case unknownFamily(String)
    case unsupportedCombination(family: ModelFamily, accelerator: Accelerator)
    case unsupportedStepCount(accelerator: Accelerator, steps: Int, supported: [Int])
    case unsupportedModelScheduler(className: String?)

    public var description: String {
        switch self {
        case .unknownAccelerator(let text):
            return "accelerator '\(text)' is not one of \(Accelerator.allCases.map(\.rawValue).joined(separator: ", "))"
        case .unknownFamily(let text):
            return "model family '\(text)' is not one of \(ModelFamily.allCases.map(\.rawValue).joined(separator: ", "))"
        case let .unsupportedCombination(family, accelerator):
            let supported = Accelerator.allCases.filter { Preset.supports(family, $0) }.map(\.rawValue).joined(separator: ", ")
            return "\(accelerator.rawValue) does not exist for \(family.rawValue) models (use one of \(supported))"
        case let .unsupportedStepCount(accelerator, steps, supported):
            return "\(accelerator.rawValue) has LoRAs for \(supported.map(String.init).joined(separator: ", ")) steps, not \(steps) "
                + "(or give --accelerator-lora FILE|none for another step count)"
        case .unsupportedModelScheduler(let className):
            return "--accelerator none runs the model's own scheduler, \(className ?? "(no _class_name)"), which is not implemented "
                + "(\(SchedulerKind.allCases.map(\.diffusersClassName).joined(separator: ", ")) are); use an accelerator (lcm or hyper-sd for SD1.x)"
        }
    }
}

/// An accelerator LoRA on the Hugging Face hub: a repository and the file for each step count.
public struct AcceleratorLoRA: Sendable, Equatable {
    /// The repository id.
    public let repository: String
    /// The file per supported step count (one file for every count when the LoRA is step-agnostic).
    public let files: [Int: String]
    /// The file when the step count does not choose one (LCM-LoRA's single file).
    public let anyStepFile: String?
    /// The file for a schedule of grid slots (``SlotSchedule/slots(_:)``) whose count has no
    /// file of its own: the authors run SDXL-Lightning's 4-step LoRA on their 5 default slots.
    public let slotScheduleFile: String?

    public init(repository: String, files: [Int: String], anyStepFile: String?, slotScheduleFile: String? = nil) {
        self.repository = repository
        self.files = files
        self.anyStepFile = anyStepFile
        self.slotScheduleFile = slotScheduleFile
    }

    /// The LoRA reference the model loader fetches for `steps` (`org/name/file.safetensors`).
    public func reference(steps: Int, slots: Bool = false) -> String? {
        guard let file = files[steps] ?? anyStepFile ?? (slots ? slotScheduleFile : nil) else { return nil }
        return repository + "/" + file
    }
}

/// One row of the presets table: what a model family needs to run with an accelerator —
/// scheduler kind and configuration overrides, default slots and guidance, mask blur, tile
/// size, canvas, latent layout, tiny autoencoder, the accelerator LoRA and the random-number
/// contract of the reference pipeline it reproduces (docs/PRESETS.md). The one place these
/// defaults live.
public struct Preset: Sendable, Equatable {
    public let family: ModelFamily
    public let accelerator: Accelerator
    /// The default schedule of one-shot generation.
    public let defaultSchedule: SlotSchedule
    /// The default schedule of the live stream (at least 2 slots).
    public let defaultStreamSchedule: SlotSchedule
    /// Classifier-free guidance (<= 1: no unconditional pass).
    public let guidance: Float
    /// Guidance rescaling applied when guidance > 1 (the authors' SDXL pipelines: 0.7).
    public var guidanceRescale: Float = 0
    /// The default brush blur (std, image pixels): one-shot and stream.
    public let oneShotMaskBlur: Double
    public let streamMaskBlur: Double
    /// The tile in image pixels; larger canvases are generated in views.
    public let tilePixels: Int
    /// The default canvas side of one-shot generation (the model's native size) and of the
    /// live stream, in pixels.
    public var oneShotCanvas = 512
    public var streamCanvas = 512
    /// Latent channels and the autoencoder's latent scaling and shift.
    public let latentChannels: Int
    public let scalingFactor: Float
    public let shiftFactor: Float
    /// The tiny autoencoder (TAESD) repository of the family.
    public let tinyAutoencoder: String
    /// The accelerator's LoRA (nil: none, e.g. `--accelerator none`).
    public let lora: AcceleratorLoRA?
    /// eta of the stochastic schedulers (TCD; Hyper-SD's model card uses 1.0).
    public let eta: Float?
    /// The accelerator's distilled full UNets (SDXL-Lightning's `sdxl_lightning_4step_unet`),
    /// whose weights replace the default base model's UNet when no `--model` is given, as the
    /// authors' SDXL pipeline does; with a `--model`, ``lora`` is fused instead.
    public var acceleratedUNet: AcceleratorLoRA?
    /// The side of the white image whose latent the authors' pipelines cache for bootstrapping
    /// (768 for SD1.5, 1024 for SDXL; docs/REFERENCE_PIPELINE.md R13).
    public var whiteCachePixels = 768
    /// How the one-shot pipeline draws its random numbers (``RandomNumberContract``).
    public var randomNumbers: RandomNumberContract = .perSlot

    /// The scheduler for a schedule: LCM; Hyper-SD: TCD (eta, default 1.0) for one step, else
    /// DDIM (eta 0) with "trailing" spacing, as the Hyper-SD model card prescribes; Lightning:
    /// Euler with "trailing" spacing (its model card and the authors' SDXL pipeline); none: the
    /// class the model's own `scheduler_config.json` names, as configured.
    public func scheduler(for schedule: SlotSchedule, eta: Float? = nil) -> SchedulerChoice {
        switch accelerator {
        case .lcm:
            return .lcm
        case .hyperSD:
            if Self.stepCount(schedule) == 1 { return SchedulerChoice(kind: .tcd, eta: eta ?? self.eta) }
            return SchedulerChoice(kind: .ddim, timestepSpacing: .trailing, eta: 0)
        case .lightning:
            return SchedulerChoice(kind: .euler, timestepSpacing: .trailing)
        case .flash:
            return SchedulerChoice(kind: .flashFlowMatchEuler)
        case .none:
            return SchedulerChoice(kind: nil, eta: eta)
        }
    }

    /// The step count a schedule runs (slots count one each).
    public static func stepCount(_ schedule: SlotSchedule) -> Int {
        switch schedule {
        case .steps(let count): return count
        case .slots(let slots): return slots.count
        }
    }

    /// The accelerator LoRA reference for `schedule`, or nil when the accelerator has none.
    /// - Throws: ``PresetError/unsupportedStepCount(accelerator:steps:supported:)``.
    public func loraReference(for schedule: SlotSchedule) throws(PresetError) -> String? {
        guard let lora else { return nil }
        let steps = Self.stepCount(schedule)
        var isSlots = false
        if case .slots = schedule { isSlots = true }
        guard let reference = lora.reference(steps: steps, slots: isSlots) else {
            throw .unsupportedStepCount(accelerator: accelerator, steps: steps, supported: lora.files.keys.sorted())
        }
        return reference
    }

    /// The distilled UNet weights for `schedule` (``acceleratedUNet``), or nil when the accelerator has none.
    /// - Throws: ``PresetError/unsupportedStepCount(accelerator:steps:supported:)``.
    public func acceleratedUNetReference(for schedule: SlotSchedule) throws(PresetError) -> String? {
        guard let acceleratedUNet else { return nil }
        let steps = Self.stepCount(schedule)
        var isSlots = false
        if case .slots = schedule { isSlots = true }
        guard let reference = acceleratedUNet.reference(steps: steps, slots: isSlots) else {
            throw .unsupportedStepCount(accelerator: accelerator, steps: steps, supported: acceleratedUNet.files.keys.sorted())
        }
        return reference
    }

    /// The family a run without `--model` uses: SDXL for `lightning` (an SDXL accelerator), SD3
    /// for `flash` (an SD3 accelerator), else SD1.x (the paper's demo model).
    public static func defaultFamily(for accelerator: Accelerator?) -> ModelFamily {
        switch accelerator {
        case .lightning?: return .stableDiffusionXL
        case .flash?: return .stableDiffusion3
        default: return .stableDiffusion1
        }
    }

    /// The accelerator a family runs when none is asked for: LCM for SD1.x (the paper's), Lightning
    /// for SDXL (the authors' SDXL pipeline's), Flash for SD3 (the authors' SD3 pipeline's).
    public static func defaultAccelerator(for family: ModelFamily) -> Accelerator {
        switch family {
        case .stableDiffusion1: return .lcm
        case .stableDiffusionXL: return .lightning
        case .stableDiffusion3: return .flash
        }
    }

    /// Whether the table has a row for `family` with `accelerator`: Lightning is SDXL's only,
    /// Flash SD3's only, and SD3 has no UNet LoRA accelerators (LCM, Hyper-SD).
    public static func supports(_ family: ModelFamily, _ accelerator: Accelerator) -> Bool {
        switch family {
        case .stableDiffusion1: return accelerator != .lightning && accelerator != .flash
        case .stableDiffusionXL: return accelerator != .flash
        case .stableDiffusion3: return accelerator == .flash || accelerator == .none
        }
    }

    /// The preset of `family` with `accelerator` (SD1.x when the family is not given).
    /// - Throws: ``PresetError/unsupportedCombination(family:accelerator:)`` for a pair the
    ///   table has no row for (``supports(_:_:)``).
    public static func preset(_ family: ModelFamily = .stableDiffusion1, accelerator: Accelerator) throws(PresetError) -> Preset {
        let preset: Preset?
        switch family {
        case .stableDiffusion1: preset = stableDiffusion1(accelerator)
        case .stableDiffusionXL: preset = stableDiffusionXL(accelerator)
        case .stableDiffusion3: preset = stableDiffusion3(accelerator)
        }
        guard let preset else { throw .unsupportedCombination(family: family, accelerator: accelerator) }
        return preset
    }

    /// The SD1.x rows (docs/PRESETS.md).
    static func stableDiffusion1(_ accelerator: Accelerator) -> Preset? {
        let family = ModelFamily.stableDiffusion1
        switch accelerator {
        case .lcm:
            return Preset(family: family, accelerator: accelerator, defaultSchedule: .defaultSlots, defaultStreamSchedule: .defaultSlots,
                          guidance: 1, oneShotMaskBlur: 1, streamMaskBlur: 8, tilePixels: 768, latentChannels: 4,
                          scalingFactor: 0.18215, shiftFactor: 0, tinyAutoencoder: "madebyollin/taesd",
                          lora: AcceleratorLoRA(repository: "latent-consistency/lcm-lora-sdv1-5", files: [:],
                                                anyStepFile: "pytorch_lora_weights.safetensors"),
                          eta: nil)
        case .hyperSD:
            let files = [1: "Hyper-SD15-1step-lora.safetensors", 2: "Hyper-SD15-2steps-lora.safetensors",
                         4: "Hyper-SD15-4steps-lora.safetensors", 8: "Hyper-SD15-8steps-lora.safetensors"]
            return Preset(family: family, accelerator: accelerator, defaultSchedule: .steps(4), defaultStreamSchedule: .steps(4),
                          guidance: 0, oneShotMaskBlur: 1, streamMaskBlur: 8, tilePixels: 768, latentChannels: 4,
                          scalingFactor: 0.18215, shiftFactor: 0, tinyAutoencoder: "madebyollin/taesd",
                          lora: AcceleratorLoRA(repository: "ByteDance/Hyper-SD", files: files, anyStepFile: nil), eta: 1)
        case .lightning, .flash:
            return nil
        case .none:
            return Preset(family: family, accelerator: accelerator, defaultSchedule: .steps(50), defaultStreamSchedule: .steps(50),
                          guidance: 7.5, oneShotMaskBlur: 1, streamMaskBlur: 8, tilePixels: 768, latentChannels: 4,
                          scalingFactor: 0.18215, shiftFactor: 0, tinyAutoencoder: "madebyollin/taesd", lora: nil, eta: nil)
        }
    }
}
