import ArgumentParser
import Captioning
import Foundation
import ImageCodecs
import SemanticDraw
import TensorRuntime

/// `semantic-draw caption IMAGE`: BLIP-2's caption of an image, as the SemanticDraw authors' app
/// makes a background prompt (docs/CAPTIONING.md).
struct CaptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caption",
        abstract: "Caption an image with BLIP-2 (the background prompt of the authors' app).",
        discussion: """
        --model is a BLIP-2 OPT folder, a Hugging Face repo id (downloaded into the shared cache on first use; \
        about 15.5 GB for the default Salesforce/blip2-opt-2.7b) or tiny-random (built in, random weights, \
        meaningless captions). Greedy decoding as transformers' generate(max_new_tokens=N), stopping at the model's \
        end token. Prints the caption; with --json one object {"ids": [...], "text": "..."} with the generated ids \
        only (not the prompt's).
        """
    )

    @Argument(help: "The image (PNG: grey, RGB or RGBA; alpha is composited onto white).")
    var image: String

    @Option(help: "The captioner: a BLIP-2 folder, a repo id or tiny-random.")
    var model: String = CaptionerLoader.defaultName

    @Option(help: "The text the caption continues (the authors' question by default).")
    var prompt: String = Blip2Captioner.defaultPrompt

    @Flag(name: .customLong("no-prompt"), help: "Caption without a prompt (image tokens and the start token only).")
    var noPrompt = false

    @Option(name: .customLong("max-new-tokens"), help: "At most this many new tokens.")
    var maximumNewTokens: Int = Blip2Captioner.defaultMaximumNewTokens

    @Flag(help: "Print {\"ids\": [...], \"text\": \"...\"} instead of the caption.")
    var json = false

    @Option(help: "Weight precision: fp32 (default; transformers' numbers) or bf16 (linear weights in bfloat16, float32 accumulation: about 7.7 GB instead of 15.5 for blip2-opt-2.7b).")
    var precision: Precision = .fp32

    func run() async throws {
        guard maximumNewTokens > 0 else { throw CommandFailure("--max-new-tokens must be positive, got \(maximumNewTokens)") }
        let picture: Image
        do {
            picture = try PNG.read(path: (image as NSString).expandingTildeInPath)
        } catch {
            throw CommandFailure("\(image): \(error)")
        }
        let loader = CaptionerLoader(hub: try HubClientFactory.make(), log: { printError($0) })
        let captioner = try await loader.load(model, precision: precision)
        let caption = try captioner.caption(picture, prompt: noPrompt ? nil : prompt, maximumNewTokens: maximumNewTokens)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            let text = String(decoding: try encoder.encode(caption.text), as: UTF8.self)
            print("{\"ids\": [\(caption.ids.map(String.init).joined(separator: ", "))], \"text\": \(text)}")
        } else {
            print(caption.text)
        }
    }
}
