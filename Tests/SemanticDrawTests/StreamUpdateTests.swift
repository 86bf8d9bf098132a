import SemanticDraw
import TensorRuntime
import Testing

/// The stream's update paths (docs/ALGORITHM.md §5 "What changes cost"): mask edits take the fast
/// path (no text encoding, applied at the next frame), queued updates merge per brush with the
/// newest winning, and a new prompt is encoded off the frame loop while frames keep coming on
/// the old embeddings. No timing: held encodings are released explicitly.
@Suite struct StreamUpdateTests {
    static func session(encoding: RecordingPromptEncoding, seed: UInt64 = 42) throws -> StreamSession {
        try StreamSession(models: try StreamTestSupport.models.get(), settings: StreamTestSupport.settings(seed: seed),
                          background: RegionBackground(prompt: StreamTestSupport.prompt("a meadow")),
                          brushes: StreamTestSupport.brushes(), promptEncoding: encoding)
    }

    @Test func maskAlphaBlurAndStrengthEditsDoNotEncodeText() async throws {
        let models = try StreamTestSupport.models.get()
        let encoding = RecordingPromptEncoding(models: models)
        let session = try Self.session(encoding: encoding)
        let reference = try Self.session(encoding: RecordingPromptEncoding(models: models))
        _ = try await StreamTestSupport.frames(session, count: 2)
        let unchanged = try await StreamTestSupport.frames(reference, count: 3)
        // The first frame encoded the three prompts once, in one batch.
        #expect(encoding.batches.count == 1 && encoding.prompts.count == 3)

        session.enqueue(.mask(id: "cat", StreamTestSupport.rectangle(rows: 8..<40, columns: 24..<60), alpha: 0.8, blur: 4))
        session.enqueue(.prompt(id: "sky", strength: 0.6))
        let edited = try await session.nextFrame()
        #expect(encoding.prompts.count == 3)
        #expect(await !session.hasPendingEncodings)
        #expect(edited.conditioningIsCurrent && edited.framesSinceChange == 0 && !edited.reflectsLatestPalette)
        // Applied at once: already this frame's model call differs from the unedited stream.
        #expect(edited.latent.scalars != unchanged[2].latent.scalars)

        let following = try await StreamTestSupport.frames(session, count: session.slotCount - 1)
        #expect(following.map(\.framesSinceChange) == Array(1..<session.slotCount))
        #expect(following.last?.reflectsLatestPalette == true)
        #expect(encoding.prompts.count == 3)
    }

    @Test func queuedEditsMergePerBrushNewestWins() {
        var queue = StreamUpdateQueue()
        let first = StreamTestSupport.rectangle(rows: 0..<8, columns: 0..<8)
        let second = StreamTestSupport.rectangle(rows: 8..<16, columns: 0..<8)
        queue.append(.mask(id: "cat", first, alpha: 0.5))
        queue.append(.mask(id: "cat", second))
        queue.append(.prompt(id: "sky", StreamTestSupport.prompt("storm")))
        queue.append(.prompt(id: "sky", StreamTestSupport.prompt("sunset"), strength: 0.7))
        queue.append(.addBrush(StreamBrush(id: "dog", prompt: StreamTestSupport.prompt("a dog"))))
        queue.append(.mask(id: "dog", first))
        queue.append(.addBrush(StreamBrush(id: "bird", prompt: StreamTestSupport.prompt("a bird"))))
        queue.append(.removeBrush(id: "bird"))
        queue.append(.removeBrush(id: "sky"))
        queue.append(.addBrush(StreamBrush(id: "sky", prompt: StreamTestSupport.prompt("night sky"))))
        #expect(queue.brushOperations.map(\.id) == ["cat", "dog", "bird", "sky"])

        let brushes = queue.applied(to: StreamTestSupport.brushes())
        #expect(brushes.map(\.id) == ["cat", "dog", "sky"])            // sky removed and re-added in front
        let cat = brushes[0]
        #expect(cat.mask?.scalars == second.scalars && cat.maskAlpha == 0.5 && cat.maskBlur == 3)
        #expect(brushes[1].mask?.scalars == first.scalars)
        #expect(brushes[2].prompt == StreamTestSupport.prompt("night sky") && brushes[2].mask == nil)
    }

    @Test func mergedUpdatesEqualTheirNewestValues() async throws {
        let models = try StreamTestSupport.models.get()
        let encoding = RecordingPromptEncoding(models: models)
        let merged = try Self.session(encoding: encoding)
        let direct = try Self.session(encoding: RecordingPromptEncoding(models: models))
        _ = try await StreamTestSupport.frames(merged, count: 1)
        _ = try await StreamTestSupport.frames(direct, count: 1)
        let storm = StreamTestSupport.prompt("storm"), sunset = StreamTestSupport.prompt("sunset")
        let first = StreamTestSupport.rectangle(rows: 0..<40, columns: 0..<40)
        let second = StreamTestSupport.rectangle(rows: 24..<64, columns: 8..<56)
        merged.enqueue(.mask(id: "cat", first, alpha: 0.5))
        merged.enqueue(.prompt(id: "sky", storm))
        merged.enqueue(.mask(id: "cat", second))
        merged.enqueue(.prompt(id: "sky", sunset))
        merged.enqueue(.addBrush(StreamBrush(id: "bird", prompt: StreamTestSupport.prompt("a bird"))))
        merged.enqueue(.removeBrush(id: "bird"))
        direct.enqueue(.editBrush(id: "cat", StreamBrushEdit(mask: second, maskAlpha: 0.5)))
        direct.enqueue(.prompt(id: "sky", sunset))
        for session in [merged, direct] {
            _ = try await session.nextFrame()
            await session.waitForPendingEncodings()
        }
        // Only the newest prompt was encoded; the removed brush's never was.
        #expect(encoding.prompts.count == 4 && encoding.prompts.last == sunset)
        let mergedFrames = try await StreamTestSupport.frames(merged, count: 3)
        let directFrames = try await StreamTestSupport.frames(direct, count: 3)
        #expect(mergedFrames.map(\.latent.scalars) == directFrames.map(\.latent.scalars))
        let allCurrent = mergedFrames.allSatisfy { $0.conditioningIsCurrent }
        #expect(allCurrent)
    }

    @Test func promptUpdateTakesEffectAfterItsEncodingWhileFramesKeepComing() async throws {
        let models = try StreamTestSupport.models.get()
        let sunset = StreamTestSupport.prompt("sunset")
        let encoding = RecordingPromptEncoding(models: models, held: [sunset])
        let session = try Self.session(encoding: encoding)
        let reference = try Self.session(encoding: RecordingPromptEncoding(models: models))
        let expected = try await StreamTestSupport.frames(reference, count: 6)
        _ = try await StreamTestSupport.frames(session, count: 2)

        session.enqueue(.prompt(id: "sky", sunset))
        // The encoding is held: frames keep coming, on the old embeddings, bit for bit.
        let waiting = try await StreamTestSupport.frames(session, count: 2)
        #expect(await session.hasPendingEncodings)
        for frame in waiting {
            #expect(!frame.conditioningIsCurrent && !frame.reflectsLatestPalette)
            #expect(frame.latent.scalars == expected[frame.index].latent.scalars)
        }

        encoding.release()
        await session.waitForPendingEncodings()
        let updated = try await session.nextFrame()
        #expect(updated.conditioningIsCurrent && updated.framesSinceChange == 0)
        #expect(updated.latent.scalars != expected[updated.index].latent.scalars)
        #expect(encoding.prompts.filter { $0 == sunset }.count == 1)
    }
}
