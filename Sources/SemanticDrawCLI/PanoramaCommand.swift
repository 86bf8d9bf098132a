import ArgumentParser
import Foundation
import ImageCodecs
import SemanticDraw
import TensorRuntime

/// `semantic-draw panorama`: one prompt over a wide canvas (docs/ALGORITHM.md §4 "Panorama").
struct PanoramaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "panorama",
        abstract: "Generate a wide image from one prompt in overlapping views (e.g. 512 x 3072).",
        discussion: "Example: semantic-draw panorama --prompt \"a photo of a mountain range at sunset\" --width 3072 --output mountains.png"
    )

    @Option(help: "The prompt.") var prompt: String
    @Option(help: "The negative prompt (used when --guidance > 1).") var negativePrompt: String?
    @Option(help: "Width in pixels, a multiple of 8.") var width = 3072
    @Option(help: "Height in pixels, a multiple of 8.") var height = 512
    @Option(help: "Seed of the torch-compatible noise generator.") var seed: UInt64 = 0
    @Option(help: "The scheduler's own N-step schedule (instead of --slots; hyper-sd: 1, 2, 4 or 8, default 4).") var steps: Int?
    @Option(help: "LCM slots on the 50-step grid (default 0,12,25,37).") var slots: String?
    @Option(help: "Classifier-free guidance scale (default: the accelerator's; lcm 1, hyper-sd 0: no unconditional pass).") var guidance: Float?
    @Option(help: "Largest tile side in pixels (the tile is min(height, width, this); default 512, SDXL and SD3 1024).") var maximumTile: Int?
    @Option(help: "The PNG to write (only when complete).") var output = "panorama.png"
    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        guard width > 0, height > 0, width.isMultiple(of: 8), height.isMultiple(of: 8), width <= 16384, height <= 16384 else {
            throw ValidationError("--width \(width) --height \(height): both must be multiples of 8 in 8...16384")
        }
        guard steps == nil || slots == nil else { throw ValidationError("give --steps or --slots, not both") }
        if let guidance, !(guidance.isFinite && guidance >= 0) { throw ValidationError("--guidance \(guidance) must be a number >= 0") }
        guard output.lowercased().hasSuffix(".png") else { throw ValidationError("--output \(output): the output is a PNG file (name it .png)") }
    }

    func run() async throws {
        var settings = PanoramaSettings(height: height, width: width)
        let preset = try modelOptions.preset
        if preset.accelerator != .lcm { settings.schedule = preset.defaultSchedule }
        if let steps { settings.schedule = .steps(steps) }
        if let slots {
            do { settings.schedule = try .init(parsingSlots: slots) } catch { throw ValidationError("--slots: \(error)") }
        }
        settings.scheduler = try modelOptions.scheduler(for: settings.schedule)
        settings.guidance = guidance ?? preset.guidance
        settings.guidanceRescale = preset.guidanceRescale
        settings.maximumTilePixels = maximumTile ?? (preset.family == .stableDiffusion1 ? 512 : 1024)
        let request = try modelOptions.request(schedule: settings.schedule)
        let model = try await ModelLoading.load(request)
        printError("panorama \(width)x\(height), seed \(seed), tile \(settings.tilePixels) px")
        let bar = StepProgressBar(label: "generating")
        var noise = TorchGenerator(seed: seed)
        let start = Date()
        let result = try model.regionPipeline.panorama(prompt: .text(prompt), negativePrompt: negativePrompt.map(PromptInput.text),
                                                       settings: settings, noise: &noise, progress: { bar.update($0, $1) })
        let image = try Image(tensor: result.image, range: .unit)
        let description = try JSONSerialization.data(withJSONObject: [
            "prompt": prompt, "negative_prompt": negativePrompt as Any, "width": width, "height": height, "seed": seed,
            "accelerator": preset.accelerator.rawValue, "schedule": "\(settings.schedule)", "guidance": settings.guidance,
            "model": request.model, "precision": request.precision == .fp32 ? NSNull() as Any : request.precision.rawValue as Any,
        ].compactMapValues { $0 is NSNull ? nil : $0 }, options: [.sortedKeys])
        var parameters = [GenerationParameters.Setting("Steps", String(Preset.stepCount(settings.schedule))),
                          .init("Sampler", GenerationParameters.samplerName(settings.scheduler))]
        if case .slots(let slots) = settings.schedule {
            parameters.append(.init("Schedule type", "slots " + slots.map(String.init).joined(separator: " ") + " of 50"))
        }
        parameters += [.init("CFG scale", GenerationParameters.number(settings.guidance)), .init("Seed", String(seed)),
                       .init("Size", "\(width)x\(height)"), .init("Model", GenerationParameters.displayName(request.model)),
                       .init("Accelerator", preset.accelerator.rawValue), .init("Mode", "panorama")]
        if request.precision != .fp32 { parameters.append(.init("Precision", request.precision.rawValue)) }
        parameters.append(.init("Generator", "semantic-draw"))
        let infotext = GenerationParameters(prompt: prompt, negativePrompt: negativePrompt ?? "", settings: parameters).text
        try PNG.write(image, to: output, textChunks: [
            PNGText(keyword: GenerationParameters.pngTextKeyword, text: infotext, storage: .latin1WhenPossible),
            PNGText(keyword: "semantic-draw-panorama", text: String(decoding: description, as: UTF8.self)),
        ])
        printError(String(format: "wrote %@ (%d x %d) in %.1f s", output, width, height, Date().timeIntervalSince(start)))
    }
}
