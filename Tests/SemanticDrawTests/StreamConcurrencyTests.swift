import DiffusionModels
import SemanticDraw
import TensorRuntime
import Testing

/// A cancelled frame leaves the session as if it had never run, and the frame's model call stops
/// on cancellation. Frames are cancelled mid-way by ``CancellingModelCalls`` (the
/// `beforeModelCall` test seam), deterministically. (That the session answers while a frame
/// computes is tested with a thread-blocking slow model in `FrameInProgressTests`.)
@Suite struct StreamConcurrencyTests {
    static func session(seed: UInt64 = 7, calls: CancellingModelCalls? = nil) throws -> StreamSession {
        try StreamSession(models: try StreamTestSupport.models.get(), settings: StreamTestSupport.settings(seed: seed),
                          background: RegionBackground(prompt: StreamTestSupport.prompt("a meadow")),
                          brushes: StreamTestSupport.brushes(), beforeModelCall: calls?.hook)
    }

    /// Cancel a frame right before its model call, with an update queued for it (a mask edit, or
    /// a reseed): the next frames equal those of a session that never ran the cancelled frame,
    /// generator included.
    @Test(arguments: [false, true]) func aCancelledFrameLeavesNoTrace(reseeds: Bool) async throws {
        let calls = CancellingModelCalls()
        let session = try Self.session(calls: calls)
        let reference = try Self.session()
        _ = try await StreamTestSupport.frames(session, count: 2)
        _ = try await StreamTestSupport.frames(reference, count: 2)
        let update: StreamUpdate = reseeds ? .seed(9) : .mask(id: "cat", StreamTestSupport.rectangle(rows: 8..<40, columns: 24..<60))
        session.enqueue(update)
        reference.enqueue(update)

        calls.cancelNext()
        let cancelled = Task { try await session.nextFrame() }
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(calls.cancelled == 1)

        let after = try await StreamTestSupport.frames(session, count: session.slotCount + 1)
        let expected = try await StreamTestSupport.frames(reference, count: reference.slotCount + 1)
        #expect(after.map(\.index) == expected.map(\.index))
        #expect(after.first?.index == 2)
        #expect(after.map(\.latent.scalars) == expected.map(\.latent.scalars))
        #expect(after.map(\.image.scalars) == expected.map(\.image.scalars))
        #expect(after.map(\.framesSinceChange) == expected.map(\.framesSinceChange))
        #expect(after.map(\.reflectsLatestPalette) == expected.map(\.reflectsLatestPalette))
    }

    /// The frame's model call itself stops on cancellation: the UNet checks between blocks.
    @Test func theModelCallStopsWhenItsTaskIsCancelled() async throws {
        let unet = try #require(try StreamTestSupport.models.get().denoiser as? UNet2DConditionModel)
        let configuration = unet.configuration
        let sample = Tensor.zeros([2, configuration.inChannels, 8, 8])
        let context = Tensor.zeros([2, 77, configuration.crossAttentionDimension])
        let task = Task { () throws -> Tensor in
            while !Task.isCancelled { await Task.yield() }
            return try unet(sample: sample, timesteps: [999, 499], encoderHiddenStates: context, maximumBatch: 1)
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
