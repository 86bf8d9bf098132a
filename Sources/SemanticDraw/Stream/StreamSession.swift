import DiffusionModels
import Schedulers
import TensorRuntime

/// One palette's live stream (docs/ALGORITHM.md §5, the multi-prompt stream batch): T slots in
/// flight, one batched UNet call of T x R latents per frame, one frame out per call, each
/// frame's latent shown T - 1 frames after it entered as noise.
///
/// The networks live in the shared ``StreamModels``; a session holds only its own state (noise,
/// in-flight latents, masks, embeddings), so one model worker can serve several sessions in
/// turns by calling ``nextFrame()`` on each. Updates arrive from any task through
/// ``enqueue(_:)`` (never blocked by a running frame) and are applied, merged per brush with
/// the newest winning, at the start of the next frame. Text encoding runs off the frame loop:
/// frames keep coming on the old embeddings until the new ones are ready (only the very first
/// frame waits for its prompts). With a fixed seed the stream is deterministic.
///
/// A frame holds the actor only to prepare and to commit; its model call and decode run off the
/// actor, so the session answers ``hasPendingEncodings`` and the other calls while a frame
/// computes. Cancelling the task that awaits ``nextFrame()`` stops the frame early and leaves
/// the session as if the frame had not run.
public actor StreamSession {
    /// The settings the session was opened with.
    public nonisolated let settings: StreamSettings
    /// T, the number of slots (the pipe's depth: a latent is shown T - 1 frames after it enters).
    public nonisolated let slotCount: Int

    let models: StreamModels
    let promptEncoding: any StreamPromptEncoding
    let scheduler: any DiffusionScheduler
    nonisolated let inbox = StreamInbox()
    /// The latent of an all-white image, [1, C, h, w] (case (d)'s background, bootstrapping).
    let whiteLatent: Tensor
    let latentChannels: Int
    /// The test seam run before every model call (nil outside tests).
    let beforeModelCall: StreamModelCallHook?

    // The palette as last updated (what the user asked for).
    var background: StreamBackgroundState
    var brushes: [StreamBrush] = []
    // The texts whose embeddings the model uses now (they lag the palette while encoding runs).
    var activeBackgroundText: StreamText?
    var activeBrushTexts: [String: StreamText] = [:]
    var cache = StreamPromptCache()
    var pendingEncodings: [Int: PendingEncoding] = [:]
    var failedPromptKeys: Set<String> = []
    var nextRequest = 0
    // Masks of the palette's brushes from the last update, reused while every brush is active.
    var validatedMasks: (ids: [String], generatesBackground: Bool, masks: Tensor?)?

    var noise: StreamNoiseState
    var step: StreamFrameStep?
    var setupChanged = true
    var frameIndex = 0
    var framesSinceChange = 0
    var frameInProgress = false

    /// A text encoding running off the frame loop.
    struct PendingEncoding {
        let keys: Set<String>
        let task: Task<Void, Never>
    }

    /// Opens a session over `models`; `background` and `brushes` are queued as the first updates.
    /// `promptEncoding` defaults to the model's text encoder (``TextEncoderPromptEncoding``).
    /// `beforeModelCall` is a test seam (``StreamModelCallHook``); leave it nil.
    /// - Throws: ``StreamError/invalidSettings(name:reason:)``, scheduler errors, or
    ///   ``StreamError/invalidUpdate(name:reason:)`` for a bad background image.
    public init(models: StreamModels, settings: StreamSettings, background: RegionBackground = RegionBackground(),
                brushes: [StreamBrush] = [], promptEncoding: (any StreamPromptEncoding)? = nil,
                beforeModelCall: StreamModelCallHook? = nil) throws {
        let factor = models.autoencoder.scaleFactor, multiple = factor * models.denoiser.latentSizeMultiple
        guard settings.height > 0, settings.width > 0, settings.height % 8 == 0, settings.width % 8 == 0,
              settings.height % multiple == 0, settings.width % multiple == 0 else {
            throw StreamError.invalidSettings(name: "size", reason: "\(settings.width)x\(settings.height) must be positive multiples of 8 and \(multiple)")
        }
        guard settings.bootstrapSteps >= 0, settings.guidance.isFinite, settings.bootstrapMix.isFinite else {
            throw StreamError.invalidSettings(name: "bootstrapSteps/guidance/bootstrapMix",
                                              reason: "need bootstrapSteps >= 0 and finite guidance and mix")
        }
        let scheduler = try settings.scheduler.makeScheduler(modelConfiguration: models.schedulerConfiguration, schedule: settings.schedule)
        guard scheduler.slotCount >= 2 else {
            throw StreamError.invalidSettings(name: "schedule", reason: "\(settings.schedule) has \(scheduler.slotCount) slot; the stream needs at least 2")
        }
        let channels = models.denoiser.latentChannels
        guard models.autoencoder.latentChannels == channels else {
            throw StreamError.invalidSettings(name: "autoencoder",
                reason: "\(models.autoencoder.name) has \(models.autoencoder.latentChannels) latent channels, the denoiser takes \(channels)")
        }
        self.settings = settings
        self.models = models
        self.scheduler = scheduler
        self.promptEncoding = promptEncoding ?? TextEncoderPromptEncoding(models: models)
        self.beforeModelCall = beforeModelCall
        slotCount = scheduler.slotCount
        latentChannels = channels
        whiteLatent = try models.autoencoder.encode(image: Tensor(shape: [3, settings.height, settings.width], repeating: 1))
        self.background = try StreamBackgroundState.resolve(background, previous: nil, settings: settings, slotCount: scheduler.slotCount,
                                                            whiteLatent: whiteLatent, encodeImage: models.autoencoder.encode(image:))
        noise = StreamNoiseState(seed: settings.seed, slotCount: scheduler.slotCount, channels: channels,
                                 height: settings.height / factor, width: settings.width / factor)
        for brush in brushes { inbox.enqueue(.addBrush(brush)) }
    }

    deinit {
        for pending in pendingEncodings.values { pending.task.cancel() }
    }

    /// Queues `update` for the next frame (merged with queued updates per brush, newest wins).
    /// Safe from any task; never waits for a running frame.
    public nonisolated func enqueue(_ update: StreamUpdate) {
        inbox.enqueue(update)
    }

    /// Whether text encodings are still running (as of the last frame's preparation). Answered
    /// without waiting for a frame in progress: frames compute off the actor.
    public var hasPendingEncodings: Bool { !pendingEncodings.isEmpty }

    /// Waits until the text encodings running now have finished; their embeddings are used from
    /// the next frame on (servers may call this before streaming; tests use it for determinism).
    public func waitForPendingEncodings() async {
        for pending in pendingEncodings.values { await pending.task.value }
    }

    /// Cancels running text encodings (the session stays usable; missing prompts are requested again).
    public func cancelPendingEncodings() {
        for pending in pendingEncodings.values { pending.task.cancel() }
    }

    /// Runs one frame: applies queued updates and finished encodings, makes one batched model
    /// call over all slots and regions, re-noises the in-flight latents and decodes the last slot.
    ///
    /// Only the preparation (updates, encodings, the step, taking the frame's inputs) and the
    /// commit (the new in-flight latents, the noise state, the counters) run on the actor; the
    /// model call, re-noising and decoding run off it (``StreamFrameJob``), so ``enqueue(_:)``,
    /// ``hasPendingEncodings`` and the other calls are answered while a frame computes.
    ///
    /// Honours task cancellation before the model call, inside it (between UNet blocks) and
    /// before decoding. A cancelled or failed frame commits nothing: the generator, stock noise,
    /// in-flight latents and counters stay as they were, so the next frames equal those of a
    /// session that never ran it (updates it applied stay applied, as the next frame would have
    /// applied them).
    /// - Throws: ``StreamError`` (a rejected update, a failed encoding, no embeddings yet, or
    ///   ``StreamError/frameInProgress`` while another frame of this session runs),
    ///   `CancellationError`, or network errors.
    public func nextFrame() async throws -> StreamFrame {
        guard !frameInProgress else { throw StreamError.frameInProgress }
        frameInProgress = true
        defer { frameInProgress = false }
        let clock = ContinuousClock(), start = clock.now
        // (a) On the actor: take the frame's inputs.
        let prepared = try await prepareFrame()
        // (b) Off the actor: the model call, re-noising, decoding.
        let output = try await prepared.job.run()
        // (c) On the actor: commit (nothing below throws or suspends).
        var advancedNoise = prepared.noise
        advancedNoise.buffer = output.buffer
        noise = advancedNoise
        framesSinceChange = setupChanged ? 0 : framesSinceChange + 1
        setupChanged = false
        let current = conditioningIsCurrent
        let elapsed = start.duration(to: clock.now).components
        let frame = StreamFrame(index: frameIndex, image: output.image, latent: output.latent, conditioningIsCurrent: current,
                                framesSinceChange: framesSinceChange,
                                reflectsLatestPalette: current && framesSinceChange >= slotCount - 1,
                                seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
        frameIndex += 1
        return frame
    }

    /// Step 1-2 of a frame, on the actor: applies finished encodings and queued updates, rebuilds
    /// the step when the setup changed, and returns the job with the noise state advanced by one
    /// frame (a copy: ``noise`` changes only when the frame commits).
    private func prepareFrame() async throws -> (job: StreamFrameJob, noise: StreamNoiseState) {
        try Task.checkCancellation()
        try receiveEncodings()
        // In a task of its own on this actor, so that cancelling the frame cannot interrupt it: a
        // cancellation inside (a background image's encode checks for one) would drop the updates
        // it took from the queue. It only applies the palette; the next frame needs it anyway.
        try await Task { try self.applyQueuedUpdates() }.value
        requestMissingEncodings()
        if activeBackgroundText == nil {
            // Nothing to run on yet (the first frame): wait for the first embeddings.
            await waitForPendingEncodings()
            try receiveEncodings()
        }
        activateReadyTexts()
        guard activeBackgroundText != nil else {
            throw StreamError.notReady(reason: "the background prompt has no embedding (its encoding failed or was cancelled)")
        }
        if setupChanged || step == nil { try rebuildStep() }
        guard let step else { throw StreamError.notReady(reason: "no generation setup") }
        try Task.checkCancellation()
        var advanced = noise
        let input = advanced.nextInput(initialNoiseSigma: scheduler.initialNoiseSigma)
        let job = StreamFrameJob(step: step, scheduler: scheduler, autoencoder: models.autoencoder, input: input,
                                 stockNoise: advanced.stockNoise, renoisingNoise: advanced.renoisingNoise,
                                 beforeModelCall: beforeModelCall)
        return (job, advanced)
    }
}
