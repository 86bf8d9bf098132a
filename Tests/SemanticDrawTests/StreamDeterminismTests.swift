import SemanticDraw
import TensorRuntime
import Testing

/// With a fixed seed the stream is deterministic (docs/ALGORITHM.md §5): two sessions agree bit for
/// bit, and a reseed restarts the stream exactly as a new session with that seed.
@Suite struct StreamDeterminismTests {
    static func session(seed: UInt64) throws -> StreamSession {
        try StreamSession(models: try StreamTestSupport.models.get(), settings: StreamTestSupport.settings(seed: seed),
                          background: RegionBackground(prompt: StreamTestSupport.prompt("a meadow")),
                          brushes: StreamTestSupport.brushes())
    }

    @Test func sameSeedSameFrames() async throws {
        let first = try await StreamTestSupport.frames(try Self.session(seed: 7), count: 6)
        let second = try await StreamTestSupport.frames(try Self.session(seed: 7), count: 6)
        let other = try await StreamTestSupport.frames(try Self.session(seed: 8), count: 6)
        #expect(first.map(\.latent.scalars) == second.map(\.latent.scalars))
        #expect(first.map(\.image.scalars) == second.map(\.image.scalars))
        #expect(first.last?.latent.scalars != other.last?.latent.scalars)
        #expect(first.map(\.index) == Array(0..<6))
    }

    @Test func reseedRestartsLikeANewSession() async throws {
        let session = try Self.session(seed: 7)
        _ = try await StreamTestSupport.frames(session, count: 3)
        session.enqueue(.seed(9))
        let reseeded = try await StreamTestSupport.frames(session, count: 6)
        let fresh = try await StreamTestSupport.frames(try Self.session(seed: 9), count: 6)
        #expect(reseeded.map(\.latent.scalars) == fresh.map(\.latent.scalars))
        #expect(reseeded.map(\.framesSinceChange) == fresh.map(\.framesSinceChange))
        #expect(reseeded.first?.index == 3)
    }
}
