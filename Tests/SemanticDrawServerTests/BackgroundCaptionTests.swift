import Captioning
import Foundation
import ImageCodecs
import SemanticDraw
@testable import SemanticDrawServer
import Testing

/// Background captioning in a session (docs/PROTOCOL.md `caption`) with the tiny-random
/// captioner: a background image without a prompt is captioned off the frame loop (frames keep
/// coming, `state.busy` is `"captioning"`), the caption becomes the background prompt (saved
/// with `caption: true`), the user's own prompt replaces it, a caption of a replaced background
/// is dropped, `caption: false` opts out, and a captioner that cannot be loaded is a note.
@Suite(.serialized, .timeLimit(.minutes(2))) struct BackgroundCaptionTests {
    /// A 64 x 64 RGB image and its PNG data URL.
    static func backgroundPNG(shift: Int = 0) throws -> Data {
        var pixels: [UInt8] = []
        for y in 0..<64 { for x in 0..<64 { pixels += [UInt8((x * 4 + shift) % 256), UInt8(y * 4), UInt8((x + y + shift) % 256)] } }
        return try PNG.encode(Image(width: 64, height: 64, channels: 3, pixels: pixels))
    }

    static func dataURL(_ png: Data) -> String { MessageFields.pngDataURLPrefix + png.base64EncodedString() }

    /// What the tiny-random captioner says of `png`, computed here.
    static func expectedCaption(_ png: Data) throws -> String {
        try TinyRandomCaptioner.make().caption(PNG.decode(data: png, source: "background")).text
    }

    /// The tiny-random captioner whose load waits until ``open()`` and counts its calls.
    final class GatedCaptioner: @unchecked Sendable {
        private let lock = NSLock()
        private var isOpen: Bool
        private var loadCount = 0

        init(open: Bool = true) { isOpen = open }

        func open() { lock.withLock { isOpen = true } }
        var loads: Int { lock.withLock { loadCount } }

        var captioner: ServerCaptioner {
            ServerCaptioner(name: TinyRandomCaptioner.name) { [self] in
                lock.withLock { loadCount += 1 }
                while !lock.withLock({ isOpen }) { try await Task.sleep(for: .milliseconds(5)) }
                return try TinyRandomCaptioner.make()
            }
        }
    }

    /// Reads messages until a `state` whose `busy` satisfies `condition`.
    static func nextState(_ conversation: ProtocolConversation, _ condition: (String?) -> Bool) async throws -> [String: Any] {
        while true {
            let state = try await conversation.next("state")
            if condition(state["busy"] as? String) { return state }
        }
    }

    /// A brush on the left half, playing.
    static func startPlaying(_ conversation: ProtocolConversation) async throws {
        try await conversation.send(["type": "brush", "id": "sky", "prompt": "blue sky", "mask_blur": 2])
        try await conversation.send(["type": "mask", "id": "sky", "mask": try maskDataURL { x, _ in x < 32 }])
        try await conversation.send(["type": "play"])
    }

    /// The palette of the history entry a `save` just wrote.
    static func savedPalette(_ server: TestServer, _ conversation: ProtocolConversation) async throws -> Palette {
        try await conversation.send(["type": "save"])
        let saved = try await conversation.next("saved")
        let url = try #require((saved["entry"] as? [String: Any])?["url"] as? String)
        let (status, png, _) = try await HTTPEndpointTests.request(server, url)
        #expect(status == 200)
        return try Palette.decode(data: Data(try #require(try PNG.textChunks(data: png)[Palette.pngTextKeyword]).utf8), baseFolder: nil)
    }

    @Test func anImageWithoutAPromptIsCaptionedWhileFramesKeepComing() async throws {
        let gate = GatedCaptioner(open: false)
        let server = try await TestServer.start(captioner: gate.captioner)
        defer { server.stop() }
        let png = try Self.backgroundPNG()
        let expected = try Self.expectedCaption(png)
        try #require(!expected.isEmpty)
        try await server.session { conversation in
            let ready = try await conversation.next("ready")
            #expect(ready["captioner"] as? String == "tiny-random")
            try await Self.startPlaying(conversation)
            _ = try await conversation.nextFrame()
            try await conversation.send(["type": "background", "image": Self.dataURL(png)])
            // The reply (states after frames may come before it).
            _ = try await Self.nextState(conversation) { $0 == "captioning" }
            // The captioner is still loading: frames keep coming, with the image and no prompt.
            var messages: [[String: Any]] = []
            for _ in 0..<2 { messages += try await conversation.messages(through: "frame") }
            #expect(!messages.contains { $0["type"] as? String == "caption" })
            #expect(gate.loads == 1)
            gate.open()
            let caption = try await conversation.next("caption")
            #expect(caption["prompt"] as? String == expected)
            #expect(caption["note"] is NSNull && (caption["seconds"] as? Double ?? -1) >= 0)
            let after = try await conversation.next("state")
            #expect(after["busy"] as? String != "captioning")

            // Saved with the caption as the background prompt, recorded as a caption.
            _ = try await conversation.nextFrame()
            let captioned = try await Self.savedPalette(server, conversation)
            #expect(captioned.background.prompt == expected && captioned.background.caption == true)
            #expect(captioned.background.image == .data(png))

            // The user edits the prompt: no caption, saved as the user's prompt.
            try await conversation.send(["type": "background", "prompt": "a meadow", "image": Self.dataURL(png)])
            let edited = try await conversation.next("state")
            #expect(edited["busy"] as? String != "captioning")
            _ = try await conversation.nextFrame()
            let saved = try await Self.savedPalette(server, conversation)
            #expect(saved.background.prompt == "a meadow" && saved.background.caption == nil)
            try await conversation.send(["type": "pause"])
        }
        #expect(gate.loads == 1, "the captioner is loaded once")
    }

    @Test func aReplacedBackgroundsCaptionIsDroppedAndCaptionFalseOptsOut() async throws {
        let gate = GatedCaptioner(open: false)
        let server = try await TestServer.start(captioner: gate.captioner)
        defer { server.stop() }
        let first = try Self.backgroundPNG(), second = try Self.backgroundPNG(shift: 90)
        let expected = try Self.expectedCaption(second)
        try await server.session { conversation in
            _ = try await conversation.next("ready")
            _ = try await conversation.next("state")                // the state after ready
            try await conversation.send(["type": "background", "image": Self.dataURL(first)])
            #expect(try await conversation.next("state")["busy"] as? String == "captioning")
            // Replaced while the first is loading: only the second is captioned.
            try await conversation.send(["type": "background", "image": Self.dataURL(second)])
            #expect(try await conversation.next("state")["busy"] as? String == "captioning")
            gate.open()
            let messages = try await conversation.messages(through: "caption")
            #expect(messages.last?["prompt"] as? String == expected)
            #expect(messages.filter { $0["type"] as? String == "caption" }.count == 1)
            _ = try await conversation.next("state")

            // caption: false keeps the image without a prompt; a palette import with an image and
            // no prompt is captioned, one with caption: false is not.
            try await conversation.send(["type": "background", "image": Self.dataURL(first), "caption": false])
            #expect(try await conversation.next("state")["busy"] as? String != "captioning")
            var palette = Palette(width: 64, height: 64, seed: 3, model: "tiny-random",
                                  background: Palette.Background(image: .data(second)),
                                  brushes: [Palette.Brush(name: "a", color: "#FF0000", prompt: "a boat",
                                                          mask: .data(try PNG.encode(Image(width: 64, height: 64, channels: 1, repeating: 255))))])
            let asks = try JSONSerialization.jsonObject(with: palette.encode())
            try await conversation.send(["type": "palette", "palette": asks])
            #expect(try await conversation.next("state")["busy"] as? String == "captioning")
            #expect(try await conversation.next("caption")["prompt"] as? String == expected)
            _ = try await conversation.next("state")
            palette.background.caption = false
            try await conversation.send(["type": "palette", "palette": try JSONSerialization.jsonObject(with: palette.encode())])
            #expect(try await conversation.next("state")["busy"] as? String != "captioning")
            // A malformed caption field is refused by name.
            try await conversation.sendRaw(#"{"type": "background", "caption": "yes"}"#)
            let error = try await conversation.next("error")
            #expect(error["message"] as? String == "background: \"caption\" must be true or false, not a string")
            // A round trip: no caption came for the opted-out backgrounds.
            try await conversation.send(["type": "seed", "seed": 4])
            let tail = try await conversation.messages(through: "state")
            #expect(!tail.contains { $0["type"] as? String == "caption" })
        }
    }

    @Test func aCaptionerThatCannotBeLoadedIsANote() async throws {
        let missing = ServerCaptioner(name: "/nonexistent/blip2") { try await CaptionerLoader(hub: nil).load("/nonexistent/blip2") }
        let server = try await TestServer.start(captioner: missing)
        defer { server.stop() }
        try await server.session { conversation in
            _ = try await conversation.next("ready")
            try await conversation.send(["type": "background", "image": Self.dataURL(try Self.backgroundPNG())])
            let messages = try await conversation.messages(through: "caption")
            #expect(!messages.contains { $0["type"] as? String == "error" })
            let caption = try #require(messages.last)
            #expect(caption["prompt"] is NSNull)
            let note = try #require(caption["note"] as? String)
            #expect(note.contains("background captioning with /nonexistent/blip2 is unavailable") && note.contains("keeps no prompt"), "\(note)")
            #expect(try await conversation.next("state")["busy"] as? String != "captioning")
            // The session goes on.
            try await Self.startPlaying(conversation)
            _ = try await conversation.nextFrame()
        }
    }

    /// What a session records about its background's caption, message by message.
    @Test func theSessionPaletteRecordsWhetherThePromptIsACaption() throws {
        let png = try Self.backgroundPNG()
        let mask = try PNG.encode(Image(width: 64, height: 64, channels: 1, repeating: 255))
        var session = SessionPalette(seed: 0)
        func saved() throws -> Palette.Background {
            try session.palette(width: 64, height: 64, model: "tiny-random", family: .stableDiffusion1, accelerator: .lcm,
                                settings: StreamSettings(height: 64, width: 64)).background
        }
        // A palette saved with its caption keeps it recorded, and asks for none.
        var palette = Palette(width: 64, height: 64, seed: 3, model: "tiny-random",
                              background: Palette.Background(image: .data(png), prompt: "a harbour", caption: true),
                              brushes: [Palette.Brush(name: "a", color: "#FF0000", prompt: "a boat", mask: .data(mask))])
        _ = try session.apply(.palette(palette.encode()), limits: ServerLimits())
        #expect(!session.backgroundNeedsCaption && session.backgroundCaptioned)
        #expect(try saved().prompt == "a harbour" && saved().caption == true)
        // Without its prompt it asks for one; the caption then becomes the recorded prompt.
        palette.background.prompt = nil
        _ = try session.apply(.palette(palette.encode()), limits: ServerLimits())
        #expect(session.backgroundNeedsCaption && !session.backgroundCaptioned)
        #expect(try saved().caption == nil)
        #expect(session.applyCaption("a quay").count == 1)
        #expect(!session.backgroundNeedsCaption)
        #expect(try saved() == Palette.Background(image: .data(png), prompt: "a quay", caption: true))
        // The user's own prompt is not a caption; caption: false asks for none.
        _ = try session.apply(.background(prompt: "a meadow", negativePrompt: nil, imagePNG: png), limits: ServerLimits())
        #expect(!session.backgroundNeedsCaption)
        #expect(try saved().caption == nil)
        _ = try session.apply(.background(prompt: nil, negativePrompt: nil, imagePNG: png, caption: false), limits: ServerLimits())
        #expect(!session.backgroundNeedsCaption)
        _ = try session.apply(.background(prompt: " ", negativePrompt: nil, imagePNG: png), limits: ServerLimits())
        #expect(session.backgroundNeedsCaption)
        _ = try session.apply(.background(prompt: nil, negativePrompt: nil, imagePNG: nil), limits: ServerLimits())
        #expect(!session.backgroundNeedsCaption)
    }

    @Test func captioningIsOffWithoutACaptioner() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        try await server.session { conversation in
            let ready = try await conversation.next("ready")
            #expect(ready["captioner"] is NSNull)
            _ = try await conversation.next("state")
            try await conversation.send(["type": "background", "image": Self.dataURL(try Self.backgroundPNG())])
            #expect(try await conversation.next("state")["busy"] as? String != "captioning")
            try await conversation.send(["type": "seed", "seed": 4])
            let tail = try await conversation.messages(through: "state")
            #expect(!tail.contains { $0["type"] as? String == "caption" })
        }
    }
}
