import DiffusionModels
import Foundation
import Schedulers
import SemanticDraw
import TensorRuntime

/// Shared pieces of the stream tests: the tiny-random model (SD1.5 architecture, random
/// weights, built in memory) with TAESD as the stream's autoencoder, a 64 x 64 canvas (8 x 8
/// latents), token-id prompts (no tokenizer needed) and encoders that count or hold back calls.
enum StreamTestSupport {
    static let height = 64, width = 64

    static let models: Result<StreamModels, any Error> = Result {
        let model = try TinyRandomModel()
        return StreamModels(textEncoder: model.textEncoder, tokenizer: nil, unet: model.unet,
                            autoencoder: .tiny(model.tinyAutoencoder),
                            schedulerConfiguration: try SchedulerConfiguration(data: TinyRandomModel.schedulerConfigurationJSON,
                                                                               file: "tiny-random scheduler_config.json"))
    }

    /// 77 token ids: start, one id per UTF-8 byte, end, padded with the end token (the tiny vocabulary).
    static func prompt(_ text: String) -> PromptInput {
        let body = Array(text.utf8.prefix(75)).map { Int($0) }
        let ids = [TinyRandomVocabulary.startTokenId] + body + [TinyRandomVocabulary.endTokenId]
        return .tokenIDs(ids + Array(repeating: TinyRandomVocabulary.endTokenId, count: 77 - ids.count))
    }

    /// Settings with token-id white/caption/empty prompts.
    static func settings(seed: UInt64 = 42) -> StreamSettings {
        var settings = StreamSettings(height: height, width: width)
        settings.seed = seed
        settings.whitePrompt = prompt("simple white background image")
        settings.captionPrompt = prompt("")
        settings.emptyPrompt = prompt("")
        return settings
    }

    /// A mask that is 1 on rows `rows` and columns `columns`, 0 elsewhere, [H, W].
    static func rectangle(rows: Range<Int>, columns: Range<Int>) -> Tensor {
        var values = [Float](repeating: 0, count: height * width)
        for y in rows { for x in columns { values[y * width + x] = 1 } }
        return Tensor(shape: [height, width], values: values)
    }

    /// Two brushes: a sky over the top half and a cat in the middle (later brushes win).
    static func brushes() -> [StreamBrush] {
        [StreamBrush(id: "sky", prompt: prompt("blue sky"), mask: rectangle(rows: 0..<32, columns: 0..<64), maskBlur: 2),
         StreamBrush(id: "cat", prompt: prompt("a cat"), mask: rectangle(rows: 20..<52, columns: 16..<48), maskBlur: 3)]
    }

    /// max |a - b| and max |b|.
    static func maximumError(_ actual: Tensor, _ expected: Tensor) -> (error: Float, largest: Float) {
        var worst: Float = 0, largest: Float = 0
        let actualValues = actual.scalars, expectedValues = expected.scalars
        for index in 0..<expected.count {
            worst = max(worst, abs(actualValues[index] - expectedValues[index]))
            largest = max(largest, abs(expectedValues[index]))
        }
        return (worst, largest)
    }

    /// Runs `count` frames.
    static func frames(_ session: StreamSession, count: Int) async throws -> [StreamFrame] {
        var frames: [StreamFrame] = []
        for _ in 0..<count { frames.append(try await session.nextFrame()) }
        return frames
    }
}

/// Counts the prompts it is asked to encode, then encodes them with the model's text encoder.
/// With `held` prompts it waits for ``release()`` before encoding a batch containing one.
final class RecordingPromptEncoding: StreamPromptEncoding, @unchecked Sendable {
    private let base: any StreamPromptEncoding
    private let held: [PromptInput]
    private let lock = NSLock()
    private var calls: [[PromptInput]] = []
    private var released = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(models: StreamModels, held: [PromptInput] = []) {
        base = TextEncoderPromptEncoding(models: models)
        self.held = held
    }

    /// Every batch asked for so far.
    var batches: [[PromptInput]] { lock.withLock { calls } }
    /// Every prompt asked for so far.
    var prompts: [PromptInput] { batches.flatMap { $0 } }

    func encode(_ prompts: [PromptInput]) async throws -> TextConditioning {
        record(prompts)
        if prompts.contains(where: held.contains) {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = lock.withLock { () -> Bool in
                    if released { return true }
                    waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        return try await base.encode(prompts)
    }

    /// Lets held encodings proceed.
    func release() {
        let waiting = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            released = true
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiting { waiter.resume() }
    }

    private func record(_ prompts: [PromptInput]) {
        lock.withLock { calls.append(prompts) }
    }
}

/// Cancels frames mid-way, through the ``StreamModelCallHook`` test seam: a call armed with
/// ``cancelNext()`` cancels its own frame's task right before the model call (the UNet then
/// stops at its first cancellation check); the other calls pass. No thread is held. Its state
/// is NSLock-protected (the hook runs on the frames' tasks), hence `@unchecked Sendable`.
final class CancellingModelCalls: @unchecked Sendable {
    private let lock = NSLock()
    private var armed = 0
    private var cancelledCount = 0

    /// The hook to pass as `beforeModelCall`.
    var hook: StreamModelCallHook { { [self] in self.call() } }

    /// Cancels the next call's frame.
    func cancelNext() { lock.withLock { armed += 1 } }
    /// Frames cancelled so far.
    var cancelled: Int { lock.withLock { cancelledCount } }

    private func call() {
        let cancels = lock.withLock { () -> Bool in
            guard armed > 0 else { return false }
            armed -= 1
            cancelledCount += 1
            return true
        }
        if cancels { withUnsafeCurrentTask { $0?.cancel() } }
    }
}
