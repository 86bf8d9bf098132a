import Foundation
@testable import SemanticDrawServer
import Testing

/// The message parser never crashes and answers every bad message with an error that names
/// the problem (docs/PROTOCOL.md "Limits").
@Suite struct ClientMessageParsingTests {
    let limits = ServerLimits()

    @Test func validMessages() throws {
        #expect(try ClientMessage.parse(#"{"type": "play"}"#, limits: limits) == .play)
        #expect(try ClientMessage.parse(#"{"type": "seed", "seed": 42}"#, limits: limits) == .seed(42))
        let brush = try ClientMessage.parse(#"{"type": "brush", "id": "b-1", "prompt": "a cat", "prompt_strength": 0.5, "mask_blur": 4}"#, limits: limits)
        #expect(brush == .brush(.init(id: "b-1", prompt: "a cat", negativePrompt: nil, promptStrength: 0.5, maskAlpha: nil, maskBlur: 4,
                                      name: nil, color: nil)))
        #expect(try ClientMessage.parse(#"{"type": "order", "ids": ["a", "b"]}"#, limits: limits) == .order(ids: ["a", "b"]))
    }

    @Test(arguments: [
        ("", "not valid JSON"),
        ("{", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ("42", "not a JSON object"),
        (#"{"kind": "play"}"#, "no string field \"type\""),
        (#"{"type": 7}"#, "no string field \"type\""),
        (#"{"type": "dance"}"#, "unknown message type \"dance\""),
        (#"{"type": "seed", "seed": -1}"#, "\"seed\" must be an integer"),
        (#"{"type": "seed", "seed": 1.5}"#, "\"seed\" must be an integer"),
        (#"{"type": "seed", "seed": "7"}"#, "\"seed\" must be an integer"),
        (#"{"type": "seed", "seed": 1e300}"#, "\"seed\" must be an integer"),
        (#"{"type": "brush", "id": "", "prompt": "x"}"#, "\"id\" must be a brush id"),
        (#"{"type": "brush", "id": "../etc", "prompt": "x"}"#, "\"id\" must be a brush id"),
        (#"{"type": "brush", "id": "a", "prompt_strength": 2}"#, "\"prompt_strength\" is 2, outside 0.0...1.0"),
        (#"{"type": "brush", "id": "a", "mask_alpha": "high"}"#, "\"mask_alpha\" must be a number"),
        (#"{"type": "brush", "id": "a", "mask_blur": -1}"#, "\"mask_blur\" is -1"),
        (#"{"type": "brush", "id": "a", "prompt": 5}"#, "\"prompt\" must be a string"),
        (#"{"type": "mask", "id": "a", "mask": "data:text/plain;base64,AAAA"}"#, "must be a PNG data URL"),
        (#"{"type": "mask", "id": "a"}"#, "\"mask\" is required"),
        (#"{"type": "order", "ids": "a"}"#, "\"ids\" must be a list"),
        (#"{"type": "palette", "palette": 3}"#, "\"palette\" must be a palette object"),
    ] as [(String, String)])
    func badMessagesAreNamed(text: String, expected: String) {
        do {
            _ = try ClientMessage.parse(text, limits: limits)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(text) -> \(error.description)")
        }
    }

    /// Every numeric, boolean-looking and string field of every message type refuses the wrong
    /// JSON type, naming the field, the type expected and the type sent; the error carries the
    /// message type as `request`.
    @Test(arguments: [
        (#"{"type": "seed", "seed": true}"#, "seed: \"seed\" must be an integer in 0...18446744073709551615, not a boolean"),
        (#"{"type": "seed", "seed": false}"#, "seed: \"seed\" must be an integer in 0...18446744073709551615, not a boolean"),
        (#"{"type": "seed", "seed": null}"#, "seed: \"seed\" is required"),
        (#"{"type": "seed"}"#, "seed: \"seed\" is required"),
        (#"{"type": "seed", "seed": [1]}"#, "not a list"),
        (#"{"type": "seed", "seed": 18446744073709551616}"#, "\"seed\" must be an integer in 0...18446744073709551615; 1.8446744073709552e+19 is not"),
        (#"{"type": "brush", "id": "a", "prompt_strength": false}"#, "brush: \"prompt_strength\" must be a number in 0.0...1.0, not a boolean"),
        (#"{"type": "brush", "id": "a", "prompt_strength": true}"#, "\"prompt_strength\" must be a number in 0.0...1.0, not a boolean"),
        (#"{"type": "brush", "id": "a", "mask_alpha": true}"#, "\"mask_alpha\" must be a number in 0.0...1.0, not a boolean"),
        (#"{"type": "brush", "id": "a", "mask_alpha": "0.5"}"#, "\"mask_alpha\" must be a number in 0.0...1.0, not a string"),
        (#"{"type": "brush", "id": "a", "mask_blur": false}"#, "\"mask_blur\" must be a number in 0.0...256.0, not a boolean"),
        (#"{"type": "brush", "id": "a", "mask_blur": {}}"#, "\"mask_blur\" must be a number in 0.0...256.0, not an object"),
        (#"{"type": "brush", "id": "a", "prompt": false}"#, "\"prompt\" must be a string or null, not a boolean"),
        (#"{"type": "brush", "id": "a", "negative_prompt": 0}"#, "\"negative_prompt\" must be a string or null, not a number"),
        (#"{"type": "brush", "id": "a", "name": true}"#, "\"name\" must be a string or null, not a boolean"),
        (##"{"type": "brush", "id": "a", "color": ["#FF0000"]}"##, "\"color\" must be a string or null, not a list"),
        (#"{"type": "brush", "id": true}"#, "\"id\" must be a brush id (1-64 letters, digits, - or _), not a boolean"),
        (#"{"type": "brush", "prompt": "x"}"#, "brush: \"id\" is required"),
        (#"{"type": "mask", "id": "a", "mask": true}"#, "mask: \"mask\" must be a PNG data URL (data:image/png;base64,...), not a boolean"),
        (#"{"type": "mask", "id": 7, "mask": "data:image/png;base64,AAAA"}"#, "mask: \"id\" must be a brush id (1-64 letters, digits, - or _), not a number"),
        (#"{"type": "remove_brush", "id": false}"#, "remove_brush: \"id\" must be a brush id"),
        (#"{"type": "order", "ids": true}"#, "order: \"ids\" must be a list of brush ids, not a boolean"),
        (#"{"type": "order", "ids": ["a", 1]}"#, "order: \"ids[1]\" must be a brush id (1-64 letters, digits, - or _), not a number"),
        (#"{"type": "order", "ids": ["a", "b c"]}"#, "order: \"ids[1]\" must be a brush id"),
        (#"{"type": "background", "prompt": true}"#, "background: \"prompt\" must be a string or null, not a boolean"),
        (#"{"type": "background", "negative_prompt": 1}"#, "background: \"negative_prompt\" must be a string or null, not a number"),
        (#"{"type": "background", "image": false}"#, "background: \"image\" must be a PNG data URL"),
        (#"{"type": "palette", "palette": false}"#, "palette: \"palette\" must be a palette object (docs/PALETTE.md), not a boolean"),
        (#"{"type": "palette", "palette": [1]}"#, "palette: \"palette\" must be a palette object (docs/PALETTE.md), not a list"),
    ] as [(String, String)])
    func wrongJSONTypesAreNamedWithTheirRequest(text: String, expected: String) throws {
        let type = try #require(text.firstMatch(of: /"type": "([a-z_]+)"/)?.1)
        do {
            let message = try ClientMessage.parse(text, limits: limits)
            Issue.record("accepted: \(text) as \(message)")
        } catch {
            #expect(error.description.contains(expected), "\(text) -> \(error.description)")
            #expect(error.request == String(type), "\(text) -> request \(String(describing: error.request))")
        }
    }

    /// Integers keep every digit; a number with a zero fraction is an integer; null is "not given".
    @Test func numbersAreReadExactly() throws {
        #expect(try ClientMessage.parse(#"{"type": "seed", "seed": 18446744073709551615}"#, limits: limits) == .seed(.max))
        #expect(try ClientMessage.parse(#"{"type": "seed", "seed": 9007199254740993}"#, limits: limits) == .seed(9_007_199_254_740_993))
        #expect(try ClientMessage.parse(#"{"type": "seed", "seed": 7.0}"#, limits: limits) == .seed(7))
        let brush = try ClientMessage.parse(#"{"type": "brush", "id": "a", "prompt_strength": 1, "mask_alpha": null, "mask_blur": 0.5}"#, limits: limits)
        #expect(brush == .brush(.init(id: "a", prompt: nil, negativePrompt: nil, promptStrength: 1, maskAlpha: nil, maskBlur: 0.5,
                                      name: nil, color: nil)))
        // A palette message passes its palette on exactly (the seed's digits included).
        guard case .palette(let data) = try ClientMessage.parse(#"{"type": "palette", "palette": {"seed": 18446744073709551615, "flag": true}}"#,
                                                               limits: limits) else {
            Issue.record("not a palette message")
            return
        }
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("18446744073709551615") && text.contains("true"), "\(text)")
    }

    @Test func tooLongPromptIsRefused() {
        let prompt = String(repeating: "a", count: limits.promptCharacters + 1)
        #expect(throws: ClientMessageError.self) { try ClientMessage.parse(#"{"type": "brush", "id": "a", "prompt": "\#(prompt)"}"#, limits: limits) }
    }

    /// Random bytes, truncated valid messages, wrong types, huge numbers, NaN-like values and
    /// negative sizes: every input is either parsed or rejected with an error; none crashes.
    @Test func fuzzedMessagesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let valid = [
            ##"{"type": "brush", "id": "b1", "prompt": "a red apple", "negative_prompt": "x", "prompt_strength": 0.7, "mask_alpha": 1, "mask_blur": 8, "name": "Apple", "color": "#FF0000"}"##,
            #"{"type": "background", "prompt": "a meadow", "negative_prompt": null, "image": null}"#,
            #"{"type": "order", "ids": ["b1", "b2"]}"#, #"{"type": "seed", "seed": 18446744073709551615}"#,
            #"{"type": "palette", "palette": {"version": 1, "width": -8, "height": 1e309, "model": "x", "brushes": []}}"#,
        ]
        let pieces = ["NaN", "Infinity", "-1e999", "1e999", "null", "true", "[]", "{}", "\"\"", "-0", "99999999999999999999999"]
        var parsed = 0, rejected = 0
        for round in 0..<3000 {
            var text: String
            switch round % 4 {
            case 0: text = String(valid[round % valid.count].prefix(Int.random(in: 0...200, using: &generator)))
            case 1: text = String(decoding: (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }, as: UTF8.self)
            case 2:
                let key = ["seed", "prompt_strength", "mask_blur", "id", "ids", "prompt", "mask", "palette", "image"].randomElement(using: &generator) ?? "seed"
                let type = ["brush", "seed", "mask", "order", "background", "palette"].randomElement(using: &generator) ?? "brush"
                text = #"{"type": "\#(type)", "id": "b1", "\#(key)": \#(pieces.randomElement(using: &generator) ?? "null")}"#
            default:
                var characters = Array(valid[round % valid.count])
                if !characters.isEmpty { characters[Int.random(in: 0..<characters.count, using: &generator)] = ["{", "}", "\"", ",", ":", "x"].randomElement(using: &generator) ?? "x" }
                text = String(characters)
            }
            do {
                let message = try ClientMessage.parse(text, limits: limits)
                // Applying it to a session's palette either works or is an error too.
                var palette = SessionPalette(seed: 0)
                _ = try? palette.apply(.brush(.init(id: "b1", prompt: "p")), limits: limits)
                _ = try? palette.apply(message, limits: limits)
                parsed += 1
            } catch {
                #expect(!error.description.isEmpty)
                rejected += 1
            }
        }
        #expect(parsed + rejected == 3000 && rejected > 1000)
    }
}
