import Schedulers
import TensorRuntime

/// A test seam: code that every frame runs right before its model call, synchronously, in the
/// frame's compute: off the session actor and on the frame's task (so `Task.isCancelled`
/// reports the frame's cancellation). Tests pass one that blocks its thread for a while, as a
/// full-size model call does, to observe what happens while a frame computes, or one that
/// cancels the frame there; throwing ends the frame as a cancellation would (the session stays
/// as if the frame never ran). Servers and applications pass nil.
public typealias StreamModelCallHook = @Sendable () throws -> Void

/// The heavy part of one stream frame (docs/ALGORITHM.md §5 steps 3-6): the batched model call
/// (``StreamFrameStep``), the re-noising of the in-flight latents and the decode of the last
/// slot. ``StreamSession/nextFrame()`` takes its inputs on the actor, runs it off the actor
/// with ``run()`` and commits its output back on the actor, so the session answers other calls
/// while a frame computes. The job reads only its own values: it changes no session state.
struct StreamFrameJob: Sendable {
    /// The conditioning, masks and networks of the frame.
    let step: StreamFrameStep
    let scheduler: any DiffusionScheduler
    let autoencoder: LatentAutoencoder
    /// x = [slot 0's fresh draw, the in-flight buffer], [T, C, h, w].
    let input: Tensor
    /// The stock noise after this frame's shift, [T, C, h, w].
    let stockNoise: Tensor
    /// init_noise[1..T-1], [T - 1, C, h, w].
    let renoisingNoise: Tensor
    let beforeModelCall: StreamModelCallHook?

    /// What the frame produced; the session stores `buffer` when it commits the frame.
    struct Output: Sendable {
        /// The output slot's latent, [1, C, h, w].
        let latent: Tensor
        /// Its decoded image, [3, H, W] in 0...1.
        let image: Tensor
        /// The latents entering slots 1..T-1 next frame, [T - 1, C, h, w].
        let buffer: Tensor
    }

    #if compiler(>=6.2)
    /// Runs the frame on the global concurrent executor (`@concurrent`: never on the caller's
    /// actor), honouring the calling task's cancellation before the model call, inside it (the
    /// UNet checks between blocks) and before decoding.
    @concurrent func run() async throws -> Output { try compute() }
    #else
    /// Runs the frame on the global concurrent executor (a nonisolated async function, SE-0338:
    /// never on the caller's actor), honouring the calling task's cancellation before the model
    /// call, inside it (the UNet checks between blocks) and before decoding.
    func run() async throws -> Output { try compute() }
    #endif

    private func compute() throws -> Output {
        try Task.checkCancellation()
        try beforeModelCall?()
        let last = input.shape[0] - 1
        let slots = try step.run(input: input, stockNoise: stockNoise, renoisingNoise: renoisingNoise)
        let latent = slots.slice(outer: last, length: 1)
        let buffer = try scheduler.noise(slots.slice(outer: 0, length: last), noise: renoisingNoise, slots: Array(0..<last))
        try Task.checkCancellation()
        let image = try autoencoder.decode(latent: latent)
        return Output(latent: latent, image: image, buffer: buffer)
    }
}
