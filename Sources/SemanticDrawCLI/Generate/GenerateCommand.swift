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

/// The help of `generate`, printed from ``GenerateOption/all`` (ArgumentParser cannot list
/// options it does not parse itself).
enum GenerateHelp {
    /// Where the help text of each option starts.
    static let helpColumn = 33

    static var text: String {
        var lines = [
            "Per-brush options follow the --prompt they belong to; given before the first --prompt,",
            "\(defaultableNames.joined(separator: ", ")) set every brush's default.",
            "One --prompt without --mask is plain text-to-image; among several brushes, one without",
            "--mask covers the whole canvas.",
        ]
        for section in GenerateOption.Section.allCases {
            lines += ["", "\(section.rawValue):"]
            for option in GenerateOption.all where option.section == section { lines += rows(of: option) }
        }
        lines += ["", "Examples:",
                  "  semantic-draw generate --model tiny-random --prompt \"a red apple\" --mask apple.png \\",
                  "      --prompt \"blue sky\" --mask sky.png --mask-std 8 --seed 1 --output out.png",
                  "  semantic-draw generate --prompt \"a cat on a sofa\" --width 768 --height 512 --output cat.png"]
        return lines.joined(separator: "\n")
    }

    static var usage: String {
        "USAGE: semantic-draw generate [--palette FILE] [--prompt TEXT [--mask FILE] [brush options]]... [options]\n\n" + text
    }

    /// The options that may come before the first --prompt as every brush's default.
    static var defaultableNames: [String] {
        GenerateOption.all.filter { if case .brush(_, _?) = $0.effect { true } else { false } }.map(\.name)
    }

    /// The help lines of one option: its names and value, then its help from ``helpColumn``.
    static func rows(of option: GenerateOption) -> [String] {
        let label = "  " + option.names.map { name in option.valueName.map { "\(name) \($0)" } ?? name }.joined(separator: ", ")
        let helpLines = option.help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let indent = String(repeating: " ", count: helpColumn)
        var rows: [String] = []
        if label.count < helpColumn - 1 {
            rows.append(label + String(repeating: " ", count: helpColumn - label.count) + helpLines[0])
        } else {
            rows += [label, indent + helpLines[0]]
        }
        rows += helpLines.dropFirst().map { indent + $0 }
        return rows
    }
}
