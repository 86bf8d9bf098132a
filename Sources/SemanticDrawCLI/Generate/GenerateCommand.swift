import ArgumentParser
import Foundation
import Hub
import ImageCodecs
import SemanticDraw
import TensorRuntime

/// `semantic-draw generate`: one image from semantic brushes (a palette, or brushes given as
/// options), written as a PNG that carries its palette.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate an image from semantic brushes (a palette file or --prompt/--mask options).",
        discussion: GenerateHelp.text
    )

    @Argument(parsing: .captureForPassthrough, help: "Options as listed below (per-brush options follow their --prompt).")
    var arguments: [String] = []

    func run() async throws {
        let parsed: GenerateArguments
        do { parsed = try GenerateArguments.parse(arguments) } catch { throw ValidationError(error.description) }
        if parsed.help {
            print(GenerateHelp.usage)
            return
        }
        do {
            try await GenerateRunner(arguments: parsed).run()
        } catch let error as GenerateArgumentError {
            throw ValidationError(error.description)
        } catch is CancellationError {
            throw CleanExit.message("cancelled; nothing was written")
        }
    }
}

/// The help of `generate` (ArgumentParser cannot list options it does not parse itself).
enum GenerateHelp {
    static let text = """
    Per-brush options follow the --prompt they belong to; given before the first --prompt, \
    --negative-prompt, --mask-alpha, --mask-std and --prompt-strength set every brush's default.

    Brushes:
      --prompt TEXT                  starts a brush (repeat per brush; back to front)
      --negative-prompt TEXT         the brush's negative prompt (used when --guidance > 1)
      --mask FILE                    PNG mask: grey/RGB brightness or RGBA alpha, white = inside
      --mask-alpha A                 0...1 (default 1)
      --mask-std S                   Gaussian blur std in pixels, >= 0 (default 1; alias --mask-blur)
      --prompt-strength P            0...1 (default 1)
      --brush-name NAME, --brush-color #RRGGBB   labels kept in the palette (display only)
    Canvas and schedule:
      --palette FILE                 a palette JSON, or a PNG made by generate (its embedded palette)
      --width W --height H           multiples of 8 (default: the first mask's size)
      --seed S                       default 0; the same palette and seed give the same PNG
      --steps N | --slots 0,4,12,25,37   schedule (default: the preset's, e.g. 5 slots 0,4,12,25,37)
      --guidance G                   CFG scale (default: the preset's; <= 1: no unconditional pass)
      --bootstrap-steps N --bootstrap-mix M   (defaults 1 and 1.0)
      --quantization discrete|continuous
      --background-image FILE --background-prompt TEXT --background-negative-prompt TEXT
      --baseline                     baseline MultiDiffusion (50 DDIM steps, CFG 7.5; SD3: its
                                     flow-matching Euler) for comparison
      --posterior-mean               encode images with the VAE's posterior mean (no draw; default:
                                     a posterior sample in the authors' order, docs/REPRODUCTION.md)
    Model:
      --model NAME                   folder, .safetensors checkpoint, repo id, tiny-random,
                                     tiny-random-xl or tiny-random-sd3 (default: KBlueLeaf/kohaku-v2.1
                                     + the accelerator's LoRA + TAESD)
      --accelerator lcm|hyper-sd|lightning|flash|none   few-step accelerator (default: the model
                                     family's: lcm for SD1.x (5 LCM slots), lightning for SDXL, flash
                                     for SD3 (Flash SD3 LoRA, 5 slots, guidance 0); hyper-sd:
                                     Hyper-SD LoRA for --steps 1|2|4|8 (default 4), TCD for 1 step,
                                     DDIM trailing otherwise, guidance 0; none: the model's own
                                     scheduler, 50 steps, guidance 7.5; SD3: 28 steps, 7). docs/PRESETS.md
      --accelerator-lora FILE|FOLDER|REPO|none   the accelerator LoRA instead of the preset's
                                     (FOLDER: a PEFT adapter, adapter_config.json + adapter_model.safetensors;
                                     none: the model has it merged); the built-in models fuse none
      --eta E                        TCD's eta (hyper-sd, 1 step; default 1.0)
      --config DIR                   diffusers folder describing a single-file checkpoint
      --lora FILE|REPO [--lora-scale S]   repeatable; fused in order
      --tiny-vae FOLDER|REPO         decode with TAESD (madebyollin/taesd, taesdxl, taesd3;
                                     tiny-random for the built-in model's own)
    Output:
      --output FILE.png              default semantic-draw.png (written only when complete)
      --save-palette FILE.json       also write the palette (masks embedded)

    Example:
      semantic-draw generate --model tiny-random --prompt "a red apple" --mask apple.png \\
          --prompt "blue sky" --mask sky.png --mask-std 8 --seed 1 --output out.png
    """

    static var usage: String {
        "USAGE: semantic-draw generate [--palette FILE] [--prompt TEXT --mask FILE [brush options]]... [options]\n\n" + text
    }
}
