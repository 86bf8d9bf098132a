import Captioning
import Foundation
import ImageCodecs

/// The background captioner of `serve --captioner` (docs/CAPTIONING.md, docs/PROTOCOL.md
/// `caption`): its name, shown to clients, and how to load it. Nothing is loaded until a session
/// asks for a caption.
public struct ServerCaptioner: Sendable {
    /// The name clients see (`ready.captioner`, `/api/info`).
    public var name: String
    /// Loads the captioner (fetching it first when needed); called on the first caption, and
    /// again after a failed load.
    public var load: @Sendable () async throws -> Blip2Captioner
    /// The prompt and token limit of each caption (the authors' question, 77 tokens by default).
    public var prompt: String? = Blip2Captioner.defaultPrompt
    public var maximumNewTokens = Blip2Captioner.defaultMaximumNewTokens

    public init(name: String, load: @escaping @Sendable () async throws -> Blip2Captioner) {
        self.name = name
        self.load = load
    }
}

/// Captions background images for every session with one shared captioner: loaded on the first
/// request (concurrent requests wait for the same load; a failed load is tried again by the next
/// request), one caption computing at a time, off the frame worker, so the stream keeps its
/// frames while a caption computes.
actor CaptionService {
    let captioner: ServerCaptioner
    private var loaded: Blip2Captioner?
    private var loading: Task<Blip2Captioner, any Error>?
    private var computing = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(captioner: ServerCaptioner) {
        self.captioner = captioner
    }

    /// The caption of the PNG `png` and the seconds it took (the load excluded). Throws
    /// ``CancellationError`` when the calling task is cancelled (the background changed).
    func caption(png: Data) async throws -> (caption: Caption, seconds: Double) {
        let model = try await load()
        try Task.checkCancellation()
        await acquire()
        defer { release() }
        try Task.checkCancellation()
        let prompt = captioner.prompt, maximumNewTokens = captioner.maximumNewTokens
        let work = Task.detached { () throws -> (Caption, Double) in
            let started = ContinuousClock.now
            let image = try PNG.decode(data: png, source: "background image")
            let caption = try model.caption(image, prompt: prompt, maximumNewTokens: maximumNewTokens)
            let elapsed = (ContinuousClock.now - started).components
            return (caption, Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
        }
        return try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
    }

    private func load() async throws -> Blip2Captioner {
        if let loaded { return loaded }
        let task: Task<Blip2Captioner, any Error>
        if let loading {
            task = loading
        } else {
            let load = captioner.load
            task = Task.detached { try await load() }
            loading = task
        }
        do {
            let model = try await task.value
            loaded = model
            return model
        } catch {
            if loading == task { loading = nil }
            throw error
        }
    }

    private func acquire() async {
        if !computing {
            computing = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { computing = false } else { waiters.removeFirst().resume() }
    }
}
