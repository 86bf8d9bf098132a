import TensorRuntime

/// The prompts of one region: its prompt and, when guided, its negative prompt.
struct StreamText: Equatable {
    let prompt: PromptInput
    let negativePrompt: PromptInput?

    var prompts: [PromptInput] { [prompt] + (negativePrompt.map { [$0] } ?? []) }
}

extension StreamSession {
    var guided: Bool { settings.guidance > 1 }

    var desiredBackgroundText: StreamText {
        StreamText(prompt: background.prompt, negativePrompt: guided ? background.negativePrompt : nil)
    }

    func desiredText(of brush: StreamBrush) -> StreamText {
        StreamText(prompt: brush.prompt, negativePrompt: guided ? brush.negativePrompt ?? settings.emptyPrompt : nil)
    }

    /// Whether the model uses the embeddings of every prompt of the palette.
    var conditioningIsCurrent: Bool {
        activeBackgroundText == desiredBackgroundText && brushes.allSatisfy { activeBrushTexts[$0.id] == desiredText(of: $0) }
    }

    /// Moves finished encodings into the cache; reports failed ones once.
    func receiveEncodings() throws {
        var failures: [(prompts: [PromptInput], error: any Error)] = []
        for delivery in inbox.takeDeliveries() {
            pendingEncodings[delivery.request] = nil
            switch delivery.result {
            case .success(let batch) where batch.context.rank == 3 && batch.count == delivery.prompts.count:
                cache.insert(prompts: delivery.prompts, batch: batch)
            case .success(let batch):
                failures.append((delivery.prompts, StreamError.promptEncodingFailed(prompts: [],
                    reason: "the encoder returned context shape \(batch.context.shape) for \(delivery.prompts.count) prompts")))
            case .failure(let error):
                failures.append((delivery.prompts, error))
            }
        }
        guard let first = failures.first else { return }
        let prompts = failures.flatMap(\.prompts)
        failedPromptKeys.formUnion(prompts.map(\.cacheKey))
        throw StreamError.promptEncodingFailed(prompts: prompts.map(\.cacheKey), reason: String(describing: first.error))
    }

    /// Step 1 of a frame: applies the merged queue, all or nothing (a rejected update drops the
    /// queue and leaves the palette as it was).
    func applyQueuedUpdates() throws {
        let queue = inbox.takeUpdates()
        guard !queue.isEmpty else { return }
        let newBrushes = queue.applied(to: brushes)
        for brush in newBrushes where !brush.promptStrength.isFinite {
            throw StreamError.invalidUpdate(name: "brush '\(brush.id)' prompt strength", reason: "\(brush.promptStrength) is not finite")
        }
        var newBackground = background
        if let request = queue.background {
            newBackground = try StreamBackgroundState.resolve(request, previous: background, settings: settings, slotCount: slotCount,
                                                              whiteLatent: whiteLatent, encodeImage: models.autoencoder.encode(image:))
        }
        // The fast path: masks only (validated here, reused by the rebuild while every brush is active).
        let masks = try StreamRegionMasks.masks(brushes: newBrushes, generatesBackground: newBackground.generatesRegion,
                                                settings: settings, noiseLevels: scheduler.noiseLevel,
                                                scaleFactor: models.autoencoder.scaleFactor)
        validatedMasks = (newBrushes.map(\.id), newBackground.generatesRegion, masks)
        if queue.background != nil || queue.brushOperations.contains(where: { Self.changesText($0.operation) }) {
            failedPromptKeys = []
        }
        brushes = newBrushes
        background = newBackground
        let ids = Set(brushes.map(\.id))
        activeBrushTexts = activeBrushTexts.filter { ids.contains($0.key) }
        if let seed = queue.seed {
            noise = StreamNoiseState(seed: seed, slotCount: slotCount, channels: latentChannels,
                                     height: noise.initialNoise.shape[2], width: noise.initialNoise.shape[3])
        }
        setupChanged = true
    }

    static func changesText(_ operation: StreamUpdateQueue.BrushOperation) -> Bool {
        switch operation {
        case .add: return true
        case .edit(let edit): return edit.changesText
        case .remove: return false
        }
    }

    /// Starts one text encoding, off the frame loop, for the palette's prompts that have no
    /// embedding, are not being encoded and did not just fail.
    func requestMissingEncodings() {
        let inFlight = pendingEncodings.values.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
        var missing: [PromptInput] = [], keys: Set<String> = []
        for prompt in desiredBackgroundText.prompts + brushes.flatMap({ desiredText(of: $0).prompts }) {
            let key = prompt.cacheKey
            guard !cache.contains(prompt), !inFlight.contains(key), !failedPromptKeys.contains(key), !keys.contains(key) else { continue }
            missing.append(prompt)
            keys.insert(key)
        }
        guard !missing.isEmpty else { return }
        let request = nextRequest
        nextRequest += 1
        let encoding = promptEncoding, inbox = inbox, prompts = missing
        let task = Task.detached {
            let result: Result<TextConditioning, any Error>
            do { result = .success(try await encoding.encode(prompts)) } catch { result = .failure(error) }
            inbox.deliver(StreamInbox.Delivery(request: request, prompts: prompts, result: result))
        }
        pendingEncodings[request] = PendingEncoding(keys: keys, task: task)
    }

    /// Switches every region whose prompts are all encoded to its palette text.
    func activateReadyTexts() {
        let ready = { (text: StreamText) in text.prompts.allSatisfy { self.cache.contains($0) } }
        let backgroundText = desiredBackgroundText
        if activeBackgroundText != backgroundText, ready(backgroundText) {
            activeBackgroundText = backgroundText
            setupChanged = true
        }
        for brush in brushes {
            let text = desiredText(of: brush)
            if activeBrushTexts[brush.id] != text, ready(text) {
                activeBrushTexts[brush.id] = text
                setupChanged = true
            }
        }
        let used = (activeBackgroundText?.prompts ?? []) + activeBrushTexts.values.flatMap(\.prompts)
            + backgroundText.prompts + brushes.flatMap { desiredText(of: $0).prompts }
        cache.retain(only: used)
    }

    /// Rebuilds the batch conditioning and masks from the active texts: brushes whose first
    /// prompts are still being encoded sit out; the others use their active embeddings.
    func rebuildStep() throws {
        guard let activeBackgroundText, let backgroundText = regionText(activeBackgroundText) else {
            throw StreamError.notReady(reason: "the background prompt has no embedding")
        }
        var active: [StreamBrush] = [], texts: [(text: StreamConditioning.RegionText, strength: Float)] = []
        for brush in brushes {
            guard let activeText = activeBrushTexts[brush.id], let text = regionText(activeText) else { continue }
            active.append(brush)
            texts.append((text, brush.promptStrength))
        }
        let generatesBackground = background.generatesRegion
        let masks: Tensor?
        if let validatedMasks, validatedMasks.ids == active.map(\.id), validatedMasks.generatesBackground == generatesBackground {
            masks = validatedMasks.masks
        } else {
            masks = try StreamRegionMasks.masks(brushes: active, generatesBackground: generatesBackground, settings: settings,
                                                noiseLevels: scheduler.noiseLevel, scaleFactor: models.autoencoder.scaleFactor)
        }
        let conditioning = StreamConditioning.build(background: backgroundText, brushes: texts, generatesBackground: generatesBackground,
                                                    slotCount: slotCount, guidance: settings.guidance,
                                                    guidanceRescale: settings.guidanceRescale)
        step = StreamFrameStep(denoiser: models.denoiser, scheduler: scheduler, masks: masks, conditioning: conditioning,
                               backgroundLatent: background.latent, bootstrapLatents: background.bootstrapLatents,
                               suppressesBootstrapLeak: settings.suppressesBootstrapLeak, modelBatchLimit: settings.modelBatchLimit,
                               scaleFactor: models.autoencoder.scaleFactor)
    }

    func regionText(_ text: StreamText) -> StreamConditioning.RegionText? {
        guard let conditional = cache.embedding(for: text.prompt) else { return nil }
        guard let negative = text.negativePrompt else { return .init(conditional: conditional, unconditional: nil) }
        guard let unconditional = cache.embedding(for: negative) else { return nil }
        return .init(conditional: conditional, unconditional: unconditional)
    }
}
