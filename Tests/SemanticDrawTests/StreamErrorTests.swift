import SemanticDraw
import TensorRuntime
import Testing

/// Rejected updates and failed encodings surface as typed ``StreamError``s once, and the stream
/// carries on with its previous palette and embeddings (compared bit for bit with an unedited stream).
@Suite struct StreamErrorTests {
    struct EncodingFailure: Error, CustomStringConvertible {
        var description: String { "test encoder refuses this prompt" }
    }

    /// Fails every batch that contains `refused`; counts batches.
    final class RefusingPromptEncoding: StreamPromptEncoding, @unchecked Sendable {
        let base: RecordingPromptEncoding
        let refused: PromptInput

        init(models: StreamModels, refused: PromptInput) {
            base = RecordingPromptEncoding(models: models)
            self.refused = refused
        }

        func encode(_ prompts: [PromptInput]) async throws -> TextConditioning {
            let result = try await base.encode(prompts)
            if prompts.contains(refused) { throw EncodingFailure() }
            return result
        }
    }

    static func session(_ encoding: (any StreamPromptEncoding)? = nil) throws -> StreamSession {
        try StreamSession(models: try StreamTestSupport.models.get(), settings: StreamTestSupport.settings(),
                          background: RegionBackground(prompt: StreamTestSupport.prompt("a meadow")),
                          brushes: StreamTestSupport.brushes(), promptEncoding: encoding)
    }

    @Test func rejectedMaskUpdateLeavesThePaletteUnchanged() async throws {
        let session = try Self.session(), reference = try Self.session()
        let expected = try await StreamTestSupport.frames(reference, count: 3)
        _ = try await session.nextFrame()
        session.enqueue(.mask(id: "cat", Tensor(shape: [64, 64], repeating: 2)))
        session.enqueue(.prompt(id: "sky", strength: 0.5))
        await #expect(throws: StreamError.self) { try await session.nextFrame() }
        let after = try await StreamTestSupport.frames(session, count: 2)
        #expect(after.map(\.index) == [1, 2])
        #expect(after.map(\.latent.scalars) == expected.dropFirst().map(\.latent.scalars))
    }

    @Test func failedEncodingIsReportedOnceAndTheOldEmbeddingsStay() async throws {
        let models = try StreamTestSupport.models.get()
        let broken = StreamTestSupport.prompt("broken")
        let encoding = RefusingPromptEncoding(models: models, refused: broken)
        let session = try Self.session(encoding), reference = try Self.session()
        let expected = try await StreamTestSupport.frames(reference, count: 3)
        _ = try await session.nextFrame()
        session.enqueue(.prompt(id: "sky", broken))
        let waiting = try await session.nextFrame()
        await session.waitForPendingEncodings()
        do {
            _ = try await session.nextFrame()
            Issue.record("the failed encoding was not reported")
        } catch let error as StreamError {
            guard case .promptEncodingFailed = error else { throw error }
        }
        let after = try await session.nextFrame()
        #expect(!waiting.conditioningIsCurrent && !after.conditioningIsCurrent)
        #expect([waiting, after].map(\.latent.scalars) == Array(expected.dropFirst()).map(\.latent.scalars))
        #expect(encoding.base.batches.count == 2)                       // not requested again
    }
}
