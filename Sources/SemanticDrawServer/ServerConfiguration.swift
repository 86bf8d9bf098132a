import Foundation
import SemanticDraw
import TensorRuntime

/// What `semantic-draw serve` was started with.
public struct ServerConfiguration: Sendable {
    /// The address to bind (127.0.0.1 unless told otherwise).
    public var host: String = "127.0.0.1"
    /// The port; 0 lets the system choose (tests).
    public var port: Int = 8000
    /// The stream's fixed settings: canvas size, slots, guidance, bootstrapping.
    public var stream: StreamSettings
    /// Where the history is kept across restarts (`history/` inside).
    public var dataDirectory: String
    /// What clients may send.
    public var limits = ServerLimits()
    /// The model's name as shown to clients.
    public var modelName: String
    /// The accelerator whose preset the server's model runs (its LoRA is fused into the model);
    /// saved and one-shot palettes use it.
    public var accelerator: Accelerator = .lcm
    /// The model's family; saved and one-shot palettes record it.
    public var family: ModelFamily = .stableDiffusion1
    /// The model's weight precision (`serve --precision`); saved palettes record it.
    public var precision: Precision = .fp32
    /// The background captioner (`serve --captioner`): a session's background image without a
    /// prompt is captioned and the caption becomes its prompt (docs/PROTOCOL.md `caption`); nil: off.
    public var captioner: ServerCaptioner?
    /// Notes shown to clients (e.g. the tiny-random warning).
    public var notes: [String] = []
    /// JPEG quality of stream frames.
    public var jpegQuality: Int = 85
    /// A test seam passed to every session's stream (``StreamModelCallHook``): tests make frames
    /// slow with it; nil otherwise.
    var beforeModelCall: StreamModelCallHook?
    /// A test seam: how the history writes its files (nil: atomic writes to disk); tests put in
    /// one that fails like a full disk.
    var historyFileWriter: (any HistoryFileWriting)?

    public init(stream: StreamSettings, dataDirectory: String, modelName: String) {
        self.stream = stream
        self.dataDirectory = dataDirectory
        self.modelName = modelName
    }

    /// `$XDG_DATA_HOME/semantic-draw`, else `~/.local/share/semantic-draw`.
    public static var defaultDataDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/semantic-draw" }
        return NSHomeDirectory() + "/.local/share/semantic-draw"
    }
}

/// Bounds on what a client may send (docs/PROTOCOL.md "Limits").
public struct ServerLimits: Sendable {
    /// Largest WebSocket message accepted (larger ones are answered with an error; the session
    /// goes on).
    public var messageBytes = 8 << 20
    /// Largest single WebSocket frame the server reads (at least ``messageBytes``). A larger
    /// frame is refused from its header without being read: the server answers with an error
    /// and closes the connection with code 1009. Browsers send a message as one frame.
    public var frameBytes = 16 << 20
    /// Brushes per session.
    public var brushes = 32
    /// Largest side of an uploaded image or mask, in pixels.
    public var imageSide = 4096
    /// Largest `POST /api/generate` body.
    public var generateBodyBytes = 16 << 20
    /// Longest prompt, in characters.
    public var promptCharacters = 1000
    /// Open sessions at once.
    public var sessions = 16

    public init() {}

    /// The frame limit the WebSocket decoder gets: ``frameBytes``, raised to ``messageBytes`` and
    /// capped at `UInt32.max` (NIO's decoder refuses larger limits).
    var readableFrameBytes: Int { min(max(frameBytes, messageBytes), Int(UInt32.max)) }

    /// As JSON for `ready` and `/api/info`.
    var json: [String: Int] {
        ["message_bytes": messageBytes, "frame_bytes": readableFrameBytes, "brushes": brushes, "image_side": imageSide,
         "generate_body_bytes": generateBodyBytes, "prompt_characters": promptCharacters, "sessions": sessions]
    }
}
