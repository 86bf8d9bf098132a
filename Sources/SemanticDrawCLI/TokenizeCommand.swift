import ArgumentParser
import Foundation
import Tokenizer

/// `semantic-draw tokenize`: a prompt's CLIP token ids, as transformers' `CLIPTokenizer` gives them.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the CLIP token ids of a prompt (transformers CLIPTokenizer, truncated, unpadded).",
        discussion: """
        --model is a pipeline folder that holds tokenizer/ (or --subfolder), or the tokenizer folder
        itself (vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json).

        Output: the ids from the start token to the end token on one line, then "N tokens" (both
        special tokens counted; "(M before truncation)" is added when the prompt was cut). With
        --json: one object {"ids": [...], "tokens": [...], "count": N, "truncated": bool}.
        """
    )

    @Option(help: "Pipeline folder (with tokenizer/) or the tokenizer folder itself.")
    var model: String

    @Option(help: "The tokenizer's subfolder in a pipeline folder (tokenizer_2 for SDXL's second tokenizer).")
    var subfolder: String = "tokenizer"

    @Option(name: .customLong("max-length"), help: "Truncate to this many ids, start and end tokens included (default: model_max_length of tokenizer_config.json, else 77).")
    var maximumLength: Int?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Argument(help: "The prompt.")
    var prompt: String

    func run() throws {
        if let maximumLength, maximumLength < 2 {
            throw CommandFailure("--max-length must be at least 2 (the start and end tokens), got \(maximumLength)")
        }
        let tokenizer: CLIPTokenizer
        do {
            tokenizer = try CLIPTokenizer(folder: model, subfolder: subfolder)
        } catch {
            throw CommandFailure(error.description)
        }
        let result = tokenizer(prompt, maximumLength: maximumLength ?? tokenizer.modelMaximumLength ?? 77, padding: false)
        if json {
            print(try jsonObject(result))
        } else {
            print(result.ids.map(String.init).joined(separator: " "))
            print("\(result.count) tokens" + (result.truncated ? " (\(result.untruncatedCount) before truncation)" : ""))
        }
    }

    /// `{"ids": [...], "tokens": [...], "count": N, "truncated": bool}`, keys in this order.
    private func jsonObject(_ result: TokenizedPrompt) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let tokens = try result.tokens.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        return "{\"ids\": [\(result.ids.map(String.init).joined(separator: ", "))], "
            + "\"tokens\": [\(tokens.joined(separator: ", "))], "
            + "\"count\": \(result.count), \"truncated\": \(result.truncated)}"
    }
}
