import Foundation
import HummingbirdWSClient
import ImageCodecs
@testable import SemanticDrawServer
import Testing

/// The promises of docs/PROTOCOL.md "Limits", over a real WebSocket: wrong JSON types are
/// errors (a boolean is not a number), every error about a readable message names its type in
/// `request`, and a frame too large to read is answered with an error before the close.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ProtocolErrorTests {
    /// Sends `message` and returns the reply: the `error` or the `state` that follows it.
    static func reply(_ conversation: ProtocolConversation, to message: String) async throws -> [String: Any] {
        try await conversation.sendRaw(message)
        while true {
            let reply = try await conversation.next()
            if ["error", "state"].contains(reply["type"] as? String) { return reply }
        }
    }

    /// A PNG data URL of a `width` x `height` grey image.
    static func imageDataURL(width: Int, height: Int) throws -> String {
        let png = try PNG.encode(Image(width: width, height: height, channels: 1, repeating: 0))
        return "data:image/png;base64," + png.base64EncodedString()
    }

    @Test func wrongJSONTypesAreErrorsThatNameTheFieldAndLeaveThePaletteAlone() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        try await server.session { conversation in
            _ = try await conversation.next("ready")
            _ = try await conversation.next("state")
            let first = try await Self.reply(conversation, to: #"{"type": "brush", "id": "sky", "prompt": "blue sky"}"#)
            #expect(first["type"] as? String == "state" && first["seed"] as? Int == 0)
            let cases: [(message: String, request: String, expected: String)] = [
                (#"{"type": "seed", "seed": true}"#, "seed", "\"seed\" must be an integer in 0...18446744073709551615, not a boolean"),
                (#"{"type": "seed", "seed": false}"#, "seed", "not a boolean"),
                (#"{"type": "brush", "id": "sky", "prompt_strength": false}"#, "brush", "\"prompt_strength\" must be a number in 0.0...1.0, not a boolean"),
                (#"{"type": "brush", "id": "sky", "mask_alpha": true}"#, "brush", "\"mask_alpha\" must be a number"),
                (#"{"type": "brush", "id": "sky", "mask_blur": [2]}"#, "brush", "\"mask_blur\" must be a number in 0.0...256.0, not a list"),
                (#"{"type": "brush", "id": "sky", "prompt": true}"#, "brush", "\"prompt\" must be a string or null, not a boolean"),
                (#"{"type": "brush", "id": "sky", "name": {}}"#, "brush", "\"name\" must be a string or null, not an object"),
                (#"{"type": "brush", "id": true, "prompt": "x"}"#, "brush", "\"id\" must be a brush id"),
                (#"{"type": "mask", "id": "sky", "mask": false}"#, "mask", "\"mask\" must be a PNG data URL"),
                (#"{"type": "remove_brush", "id": 1}"#, "remove_brush", "\"id\" must be a brush id (1-64 letters, digits, - or _), not a number"),
                (#"{"type": "order", "ids": [true]}"#, "order", "\"ids[0]\" must be a brush id"),
                (#"{"type": "background", "prompt": false}"#, "background", "\"prompt\" must be a string or null, not a boolean"),
                (#"{"type": "background", "image": 0}"#, "background", "\"image\" must be a PNG data URL"),
                (#"{"type": "palette", "palette": true}"#, "palette", "\"palette\" must be a palette object (docs/PALETTE.md), not a boolean"),
                (#"{"type": "palette", "palette": {"version": 1, "width": 64, "height": 64, "seed": true, "model": "m", "brushes": []}}"#,
                 "palette", "palette: seed: expected a whole number"),
            ]
            for (message, request, expected) in cases {
                let reply = try await Self.reply(conversation, to: message)
                #expect(reply["type"] as? String == "error", "\(message) was accepted: \(reply)")
                #expect(reply["request"] as? String == request, "\(message) -> \(reply)")
                #expect((reply["message"] as? String)?.contains(expected) == true, "\(message) -> \(reply)")
            }
            // Nothing changed: the seed is still 0 and the brush is still there.
            let state = try await Self.reply(conversation, to: #"{"type": "order", "ids": ["sky"]}"#)
            #expect(state["type"] as? String == "state" && state["seed"] as? Int == 0 && state["brushes"] as? [String] == ["sky"])
        }
    }

    /// Image errors come after parsing, when the image is decoded: they name the message too.
    @Test func imageErrorsNameTheirMessage() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let huge = try Self.imageDataURL(width: 5000, height: 5000)
        let notPNG = "data:image/png;base64," + Data("GIF89a, not a PNG".utf8).base64EncodedString()
        try await server.session { conversation in
            _ = try await conversation.next("ready")
            _ = try await conversation.next("state")
            _ = try await Self.reply(conversation, to: #"{"type": "brush", "id": "sky", "prompt": "blue sky"}"#)
            let cases: [(message: [String: Any], request: String, expected: String)] = [
                (["type": "mask", "id": "sky", "mask": notPNG], "mask", "mask: \"mask\" is not a PNG image"),
                (["type": "mask", "id": "sky", "mask": huge], "mask", "\"mask\" is 5000 x 5000 pixels, at most 4096 per side"),
                (["type": "background", "prompt": "a meadow", "image": huge], "background", "\"image\" is 5000 x 5000 pixels"),
                (["type": "background", "image": notPNG], "background", "\"image\" is not a PNG image"),
                (["type": "mask", "id": "nobody", "mask": try maskDataURL { _, _ in true }], "mask", "no brush \"nobody\""),
                (["type": "save"], "save", "no frame yet"),
            ]
            for (message, request, expected) in cases {
                let text = String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self)
                let reply = try await Self.reply(conversation, to: text)
                #expect(reply["type"] as? String == "error" && reply["request"] as? String == request, "\(message["type"] ?? "") -> \(reply)")
                #expect((reply["message"] as? String)?.contains(expected) == true, "\(reply)")
            }
            // Unreadable messages have no type to name.
            for text in ["{not json", #"{"type": 5}"#, "[1]"] {
                let reply = try await Self.reply(conversation, to: text)
                #expect(reply["type"] as? String == "error" && reply["request"] is NSNull, "\(text) -> \(reply)")
            }
        }
    }

    /// A 17 MiB message, one frame over the default 16 MiB frame limit: the server answers with
    /// an `error` that says so, then closes with 1009; the server serves the next session.
    @Test func aFrameOverTheFrameLimitIsAnsweredBeforeTheClose() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        #expect(ServerLimits().frameBytes == 16 << 20)
        let huge = #"{"type": "brush", "id": "a", "prompt": ""# + String(repeating: "x", count: 17 << 20) + #""}"#
        let close = try await server.closingSession { conversation in
            let ready = try await conversation.next("ready")
            _ = try await conversation.next("state")
            #expect((ready["limits"] as? [String: Any])?["frame_bytes"] as? Int == 16 << 20)
            try await conversation.sendRaw(huge)
            let error = try await conversation.next("error")
            #expect((error["message"] as? String)?.contains("larger than the frame limit of 16777216 bytes") == true, "\(error)")
            #expect(error["request"] is NSNull)
            await #expect(throws: ProtocolConversation.ConversationError.self) {
                while true { _ = try await conversation.next() }
            }
        }
        #expect(close?.closeCode == .messageTooLarge, "\(String(describing: close))")
        try await server.session { conversation in
            _ = try await conversation.next("ready")
            _ = try await conversation.next("state")
            let state = try await Self.reply(conversation, to: #"{"type": "brush", "id": "a", "prompt": "still serving"}"#)
            #expect(state["brushes"] as? [String] == ["a"])
        }
    }

    /// A message over the message limit but within the frame limit: an error, the session goes on.
    @Test func aMessageOverTheMessageLimitKeepsTheSession() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        try await server.session { conversation in
            _ = try await conversation.next("ready")
            _ = try await conversation.next("state")
            let reply = try await Self.reply(conversation, to: #"{"type": "brush", "id": "a", "prompt": ""# + String(repeating: "x", count: 9 << 20) + #""}"#)
            #expect((reply["message"] as? String)?.contains("larger than 8388608 bytes") == true, "\(reply)")
            let state = try await Self.reply(conversation, to: #"{"type": "brush", "id": "a", "prompt": "still here"}"#)
            #expect(state["brushes"] as? [String] == ["a"])
        }
    }
}
