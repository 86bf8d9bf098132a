import Foundation

extension GenerateOption {
    /// Every option of `generate`, in help order. Adding an option means adding a row here: the
    /// parser, the duplicate checks and the help all read this table.
    static let all: [GenerateOption] = brushOptions + canvasOptions + modelOptions + outputOptions

    private static let brushOptions: [GenerateOption] = [
        GenerateOption(names: ["--prompt"], valueName: "TEXT", help: "starts a brush (repeat per brush; later brushes win where masks overlap)",
                       section: .brushes, effect: .startsBrush),
        GenerateOption(names: ["--negative-prompt"], valueName: "TEXT", help: "the brush's negative prompt (used when --guidance > 1)",
                       section: .brushes, effect: .brush(field: .text(\.negativePrompt), defaultField: .text(\.negativePrompt))),
        GenerateOption(names: ["--mask"], valueName: "FILE",
                       help: "PNG mask: grey/RGB brightness or RGBA alpha, white = inside; without --mask\n"
                           + "a brush covers the whole canvas (one brush: plain text-to-image)",
                       section: .brushes, effect: .brush(field: .text(\.mask), defaultField: nil)),
        GenerateOption(names: ["--mask-alpha"], valueName: "A", help: "0...1 (default 1)",
                       section: .brushes, effect: .brush(field: .number(\.maskAlpha), defaultField: .number(\.maskAlpha))),
        GenerateOption(names: ["--mask-std", "--mask-blur"], valueName: "S",
                       help: "Gaussian blur std in pixels, >= 0 (default: the preset's; alias --mask-blur)",
                       section: .brushes, effect: .brush(field: .number(\.maskBlur), defaultField: .number(\.maskBlur))),
        GenerateOption(names: ["--prompt-strength"], valueName: "P", help: "0...1 (default 1)",
                       section: .brushes, effect: .brush(field: .number(\.promptStrength), defaultField: .number(\.promptStrength))),
        GenerateOption(names: ["--brush-name"], valueName: "NAME", help: "label kept in the palette (display only)",
                       section: .brushes, effect: .brush(field: .text(\.name), defaultField: nil)),
        GenerateOption(names: ["--brush-color"], valueName: "#RRGGBB", help: "colour kept in the palette (display only)",
                       section: .brushes, effect: .brush(field: .text(\.color), defaultField: nil)),
    ]

    private static let canvasOptions: [GenerateOption] = [
        global("--palette", "FILE", "a palette JSON, or a PNG made by generate (its embedded palette)", .canvas, text(\.palette)),
        global("--width", "W", "a multiple of 8 (default: the first mask's width, else the preset's canvas)", .canvas, integer(\.width)),
        global("--height", "H", "a multiple of 8 (default: the first mask's height, else the preset's canvas)", .canvas, integer(\.height)),
        global("--seed", "S", "default 0; the same palette and seed give the same PNG", .canvas) { (arguments, name, value) throws(GenerateArgumentError) in
            guard let parsed = UInt64(value) else { throw GenerateArgumentError("\(name) '\(value)' is not an integer in 0...\(UInt64.max)") }
            arguments.seed = parsed
        },
        global("--steps", "N", "the scheduler's own N-step schedule (default: the preset's)", .canvas, integer(\.steps)),
        global("--slots", "0,4,12,25,37", "slots on the 50-step grid instead of --steps (default: the preset's)", .canvas) {
            (arguments, name, value) throws(GenerateArgumentError) in
            var parsed: [Int] = []
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let slot = Int(part.trimmingCharacters(in: .whitespaces)) else {
                    throw GenerateArgumentError("\(name) '\(value)': '\(part)' is not an integer (expected e.g. 0,4,12,25,37)")
                }
                parsed.append(slot)
            }
            arguments.slots = parsed
        },
        global("--guidance", "G", "CFG scale (default: the preset's; <= 1 runs no unconditional pass)", .canvas, number(\.guidance)),
        global("--bootstrap-steps", "N", "slots bootstrapped with the white/background latent (default 1)", .canvas, integer(\.bootstrapSteps)),
        global("--bootstrap-mix", "M", "white/background mix of bootstrapping (default 1.0)", .canvas, number(\.bootstrapMix)),
        global("--quantization", "discrete|continuous", "mask quantisation (default discrete)", .canvas, text(\.quantization)),
        global("--background-image", "FILE", "an image to paint over (background case a/b)", .canvas, text(\.backgroundImage)),
        global("--background-prompt", "TEXT", "the background's prompt (generated as one more region when no image)", .canvas,
               text(\.backgroundPrompt)),
        global("--background-negative-prompt", "TEXT", "the background's negative prompt", .canvas, text(\.backgroundNegativePrompt)),
        GenerateOption(names: ["--caption-background"], valueName: nil,
                       help: "a --background-image without --background-prompt gets BLIP-2's caption as its\n"
                           + "prompt, recorded in the palette (docs/CAPTIONING.md)",
                       section: .canvas, effect: .flag { $0.captionBackground = true }),
        GenerateOption(names: ["--baseline"], valueName: nil,
                       help: "baseline MultiDiffusion (--steps DDIM steps, default 50; CFG 7.5) for comparison",
                       section: .canvas, effect: .flag { $0.baseline = true }),
        GenerateOption(names: ["--posterior-mean"], valueName: nil,
                       help: "encode images with the VAE's posterior mean (no draw; default: a posterior\n"
                           + "sample in the authors' order, docs/REPRODUCTION.md)",
                       section: .canvas, effect: .flag { $0.posteriorMean = true }),
    ]

    private static let modelOptions: [GenerateOption] = [
        global("--model", "NAME", "folder, .safetensors checkpoint, repo id, tiny-random, tiny-random-xl or tiny-random-sd3\n"
                   + "(default: KBlueLeaf/kohaku-v2.1 + the accelerator's LoRA + TAESD; with --accelerator\n"
                   + "lightning: SDXL base with SDXL-Lightning's distilled UNet; offline: tiny-random)",
               .model, text(\.model)),
        global("--accelerator", "lcm|hyper-sd|lightning|flash|none",
               "few-step preset (docs/PRESETS.md; default lcm for SD1.x, lightning for SDXL, flash for SD3):\n"
                   + "lcm 5 LCM slots; hyper-sd --steps 1|2|4|8 (default 4), guidance 0;\n"
                   + "lightning (SDXL) 4-step Euler, guidance 0; flash (SD3) Flash SD3 LoRA, 5 slots,\n"
                   + "guidance 0; none the model's own scheduler, 50 steps, guidance 7.5 (SDXL 5; SD3 28, 7)",
               .model, text(\.accelerator)),
        global("--accelerator-lora", "FILE|FOLDER|REPO|none",
               "the accelerator LoRA instead of the preset's (FOLDER: a PEFT adapter with\n"
                   + "adapter_config.json; none: the model has it merged); the built-in models fuse none",
               .model, text(\.acceleratorLoRA)),
        global("--eta", "E", "TCD's eta (hyper-sd, 1 step; default 1.0)", .model, number(\.eta)),
        global("--config", "DIR", "diffusers folder describing a single-file checkpoint", .model, text(\.configurationFolder)),
        GenerateOption(names: ["--lora"], valueName: "FILE|FOLDER|REPO",
                       help: "a LoRA fused into the model (repeatable, in order); a folder gives its\n"
                           + "pytorch_lora_weights.safetensors or its only .safetensors file",
                       section: .model, effect: .global(repeatable: true) { arguments, _, value in
                           arguments.loras.append(GenerateArguments.LoRA(path: value))
                       }),
        GenerateOption(names: ["--lora-scale"], valueName: "S", help: "the scale of the --lora before it (default 1)",
                       section: .model, effect: .global(repeatable: true) { (arguments, name, value) throws(GenerateArgumentError) in
                           guard let last = arguments.loras.last else {
                               throw GenerateArgumentError("\(name) comes before any --lora (it sets the scale of the --lora before it)")
                           }
                           guard last.scale == nil else { throw GenerateArgumentError("--lora \(last.path) has \(name) twice") }
                           arguments.loras[arguments.loras.count - 1].scale = try GenerateArguments.float(name, value)
                       }),
        global("--precision", "fp32|bf16", "weight precision (default fp32: a seed reproduces the authors' images;\n"
                   + "bf16: linear and convolution weights in bfloat16, float32 accumulation)", .model, text(\.precision)),
        global("--captioner", "NAME", "the background captioner: a BLIP-2 folder, repo id or tiny-random\n"
                   + "(default Salesforce/blip2-opt-2.7b; none: never caption)", .model, text(\.captioner)),
        global("--tiny-vae", "FOLDER|REPO", "decode with TAESD (madebyollin/taesd, taesdxl, taesd3; tiny-random for the built-in model's own)", .model, text(\.tinyAutoencoder)),
    ]

    private static let outputOptions: [GenerateOption] = [
        global("--output", "FILE.png", "default semantic-draw.png (written only when complete)", .output, text(\.output)),
        global("--save-palette", "FILE.json", "also write the palette (masks embedded)", .output, text(\.savePalette)),
        GenerateOption(names: ["--help", "-h"], valueName: nil, help: "show this help", section: .output, effect: .flag { $0.help = true }),
    ]

    // MARK: Row builders

    private typealias Apply = @Sendable (inout GenerateArguments, String, String) throws(GenerateArgumentError) -> Void

    /// A global option given at most once.
    private static func global(_ name: String, _ valueName: String, _ help: String, _ section: Section, _ apply: @escaping Apply) -> GenerateOption {
        GenerateOption(names: [name], valueName: valueName, help: help, section: section, effect: .global(repeatable: false, apply: apply))
    }

    private static func text(_ keyPath: WritableKeyPath<GenerateArguments, String?> & Sendable) -> Apply {
        { arguments, _, value in arguments[keyPath: keyPath] = value }
    }

    private static func integer(_ keyPath: WritableKeyPath<GenerateArguments, Int?> & Sendable) -> Apply {
        { (arguments, name, value) throws(GenerateArgumentError) in arguments[keyPath: keyPath] = try GenerateArguments.integer(name, value) }
    }

    private static func number(_ keyPath: WritableKeyPath<GenerateArguments, Float?> & Sendable) -> Apply {
        { (arguments, name, value) throws(GenerateArgumentError) in arguments[keyPath: keyPath] = try GenerateArguments.float(name, value) }
    }
}
