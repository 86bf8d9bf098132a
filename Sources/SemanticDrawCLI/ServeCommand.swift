import ArgumentParser
import Captioning
import Foundation
import Hub
import SemanticDraw
import SemanticDrawServer
import TensorRuntime

/// `semantic-draw serve`: the semantic palette web app with the live stream (docs/WEB_APP.md,
/// docs/PROTOCOL.md).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the semantic palette web app with the live stream (open http://127.0.0.1:8000).",
        discussion: """
        Canvas size and slots are fixed at start. On a CPU a full-size SD1.5 frame takes about a minute \
        (T x P UNet evaluations: 5 slots x 3 brushes = 15); the page shows per-frame progress and seconds per frame.
        """
    )

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Canvas width in pixels (a multiple of 8; default: the preset's stream canvas, 512 for every family).") var width: Int?
    @Option(help: "Canvas height in pixels (a multiple of 8; default: the preset's stream canvas, 512).") var height: Int?
    @Option(help: "LCM slots on the 50-step grid (the stream's depth T; default 0,4,12,25,37).") var slots: String?
    @Option(help: "The scheduler's own N-step schedule (the stream's depth T >= 2; hyper-sd: 2, 4 or 8, default 4).") var steps: Int?
    @Option(help: "Classifier-free guidance (default: the accelerator's; lcm 1, hyper-sd, lightning and flash 0: no unconditional pass).") var guidance: Float?
    @Option(help: "Seed of a new session's stream.") var seed: UInt64 = 0
    @Option(help: "Address to bind; 127.0.0.1 keeps the app on this machine (0.0.0.0 opens it to the network).") var host = "127.0.0.1"
    @Option(help: "Port (0: any free port, printed at start).") var port = 8000
    @Option(name: .customLong("data-dir"), help: "Where the history is kept (default ~/.local/share/semantic-draw).") var dataDirectory: String?
    @Option(help: "Largest WebSocket message in bytes (a single frame may be twice this; a larger one closes the session after an error).")
    var maximumMessageBytes = 8 << 20
    @Option(help: "Most brushes per session.") var maximumBrushes = 32
    @Option(help: "Most sessions open at once (further connections get an error and are closed).") var maximumSessions = 16
    @Option(help: """
        The background captioner: a background image without a prompt gets BLIP-2's caption as its prompt \
        (a BLIP-2 folder, a repo id or tiny-random; loaded on the first caption, downloaded then if needed; \
        none: off; default \(CaptionerLoader.defaultName)).
        """)
    var captioner: String = CaptionerLoader.defaultName

    func validate() throws {
        for (name, value) in [("--width", width), ("--height", height)] {
            if let value, !(value > 0 && value.isMultiple(of: 8) && value <= 4096) {
                throw ValidationError("\(name) \(value): a multiple of 8 in 8...4096")
            }
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port) is outside 0...65535") }
        if let guidance, !(guidance.isFinite && guidance >= 0) { throw ValidationError("--guidance \(guidance) must be a number >= 0") }
        guard steps == nil || slots == nil else { throw ValidationError("give --steps or --slots, not both") }
        guard (1...1024).contains(maximumSessions) else { throw ValidationError("--maximum-sessions \(maximumSessions) is outside 1...1024") }
        guard (1024...(1 << 30)).contains(maximumMessageBytes) else {
            throw ValidationError("--maximum-message-bytes \(maximumMessageBytes) is outside 1024...\(1 << 30)")
        }
    }

    func run() async throws {
        let preset = try modelOptions.preset
        var stream = StreamSettings(height: height ?? preset.streamCanvas, width: width ?? preset.streamCanvas)
        stream.seed = seed
        stream.guidance = guidance ?? preset.guidance
        stream.guidanceRescale = preset.guidanceRescale
        stream.schedule = preset.defaultStreamSchedule
        if let steps { stream.schedule = .steps(steps) }
        if let slots {
            do { stream.schedule = try .init(parsingSlots: slots) } catch { throw ValidationError("--slots: \(error)") }
        }
        stream.scheduler = try modelOptions.scheduler(for: stream.schedule)
        let request = try modelOptions.request(schedule: stream.schedule)
        let model = try await ModelLoading.load(request)
        if case .kl = model.components.autoencoder {
            FileHandle.standardError.write(Data("note: frames decode with the full VAE; --tiny-vae madebyollin/taesd (TAESD, as the paper's stream) decodes them much faster\n".utf8))
        }
        var configuration = ServerConfiguration(stream: stream, dataDirectory: dataDirectory ?? ServerConfiguration.defaultDataDirectory,
                                                modelName: request.model)
        configuration.accelerator = preset.accelerator
        configuration.family = model.components.family
        configuration.precision = request.precision
        configuration.host = host
        configuration.port = port
        configuration.notes = model.notes
        configuration.limits.messageBytes = maximumMessageBytes
        configuration.limits.frameBytes = 2 * maximumMessageBytes
        configuration.limits.brushes = maximumBrushes
        configuration.limits.sessions = maximumSessions
        if captioner == CaptionerLoader.noneName {
            configuration.notes.append("background captioning is off (--captioner none): a background image without a prompt keeps none")
        } else {
            configuration.captioner = Self.serverCaptioner(captioner, precision: request.precision)
            if captioner == TinyRandomCaptioner.name { configuration.notes.append(TinyRandomCaptioner.warning) }
        }
        let server = SemanticDrawServer(model: model, configuration: configuration)
        let banner = "(\(request.model), \(preset.accelerator.rawValue), \(stream.width)x\(stream.height), \(stream.schedule)); Ctrl+C stops"
        let host = self.host
        try await server.run(onStart: { port in
            FileHandle.standardOutput.write(Data("semantic-draw: serving http://\(host):\(port)/ \(banner)\n".utf8))
        })
    }

    /// The captioner `name`, loaded on the first caption through ``CaptionerLoader`` (tiny-random
    /// built in memory; a repo fetched into the hub cache with progress on the server's stderr).
    /// A failed load (no network, a missing folder) reaches the session as a note. Its weights
    /// take the server's `--precision`.
    static func serverCaptioner(_ name: String, precision: Precision = .fp32) -> ServerCaptioner {
        ServerCaptioner(name: name) {
            let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("semantic-draw: \($0)\n".utf8)) }
            let hub: HubClient? = name == TinyRandomCaptioner.name ? nil : try HubClientFactory.make()
            return try await CaptionerLoader(hub: hub, log: log).load(name, precision: precision)
        }
    }
}
