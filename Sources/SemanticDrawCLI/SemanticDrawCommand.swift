import ArgumentParser

/// `semantic-draw`: paint with text. Subcommands grow with the project.
@main
struct SemanticDrawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semantic-draw",
        abstract: "Region-based text-to-image generation with semantic brushes (SemanticDraw, CVPR 2025).",
        subcommands: [GenerateCommand.self, PanoramaCommand.self, ServeCommand.self, DownloadCommand.self, ForwardCommand.self, BenchCommand.self, NoiseCommand.self, TokenizeCommand.self, ScheduleCommand.self, ExportCommand.self, CaptionCommand.self]
    )
}
