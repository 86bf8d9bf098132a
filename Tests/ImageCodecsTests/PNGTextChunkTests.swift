import Foundation
import ImageCodecs
import Testing

/// Text chunks: our `iTXt` writer against our reader, and `tEXt`/`zTXt`/`iTXt` chunks written
/// byte by byte as the PNG 1.2 specification lays them out (section 11.3.4).
@Suite struct PNGTextChunkTests {
    static func image() throws -> Image { try Image(width: 4, height: 2, channels: 3, repeating: 90) }

    @Test func roundTripsUTF8TextAndLongJSON() throws {
        let entries = (0..<2000).map { "{\"brush\": \($0), \"prompt\": \"a cat 🐱 猫 chat — \($0)\"}" }
        let longJSON = "[" + entries.joined(separator: ",\n") + "]"
        #expect(longJSON.utf8.count > 65536)
        let chunks = ["semantic-draw": longJSON, "Comment": "emoji 🎨🖌️, CJK 漢字かな한글, accents é ü ñ", "Empty": ""]
        let data = try PNG.encode(Self.image(), textChunks: chunks)

        // The stream is well formed: signature, CRCs, iTXt in keyword order before the image data
        // (after libpng's header chunks: IHDR, sRGB), image unchanged.
        let parsed = try PNGChunk.parse(data)
        #expect(parsed.map(\.type) == ["IHDR", "sRGB", "iTXt", "iTXt", "iTXt", "IDAT", "IEND"])
        #expect(parsed.last?.type == "IEND")
        #expect(try PNG.decode(data: data) == Self.image())
        #expect(try PNG.textChunks(data: data) == chunks)
    }

    /// Ordered text chunks go between the header and the first IDAT, where readers that stop at
    /// the image data (Pillow's `Image.open(...).info`) find them; `latin1WhenPossible` writes
    /// `tEXt` for Latin-1 text (as Pillow's `add_text`, and so A1111) and `iTXt` otherwise.
    @Test func orderedChunksGoBeforeTheImageData() throws {
        let image = try Image(width: 40, height: 30, channels: 4, repeating: 200)
        let text = [PNGText(keyword: "parameters", text: "a café, Steps: 5", storage: .latin1WhenPossible),
                    PNGText(keyword: "semantic-draw", text: "{\"prompt\": \"a café\"}"),
                    PNGText(keyword: "Comment", text: "brush 🖌️", storage: .latin1WhenPossible)]
        let data = try PNG.encode(image, textChunks: text)
        let parsed = try PNGChunk.parse(data)
        let firstImageData = try #require(parsed.firstIndex { $0.type == "IDAT" })
        #expect(parsed.first?.type == "IHDR")
        #expect(parsed[..<firstImageData].map(\.type) == ["IHDR", "sRGB", "tEXt", "iTXt", "iTXt"], "\(parsed.map(\.type))")
        #expect(!parsed[firstImageData...].contains { ["tEXt", "iTXt", "zTXt"].contains($0.type) })
        #expect(parsed[2].data == Data("parameters".utf8) + Data([0]) + Data("a caf".utf8) + Data([0xE9]) + Data(", Steps: 5".utf8))
        #expect(try PNG.decode(data: data) == image)
        #expect(try PNG.textChunks(data: data) == ["parameters": "a café, Steps: 5", "semantic-draw": "{\"prompt\": \"a café\"}",
                                                   "Comment": "brush 🖌️"])
        #expect(throws: ImageCodecError.self) { try PNG.encode(image, textChunks: [PNGText(keyword: " bad", text: "")]) }
    }

    @Test func readsLatin1AndCompressedChunks() throws {
        // tEXt "Title" = "café" in Latin-1; zTXt "Author" (zlib stored blocks); compressed iTXt.
        let text = HandMadePNG.chunk("tEXt", Array("Title".utf8) + [0] + [0x63, 0x61, 0x66, 0xE9])
        let zText = HandMadePNG.chunk("zTXt", Array("Author".utf8) + [0, 0] + HandMadePNG.zlibStored(Array("Ada Lovelace".utf8)))
        let utf8 = Array("палитра 🎨".utf8)
        let international = HandMadePNG.chunk("iTXt", Array("Palette".utf8) + [0, 1, 0] + Array("ru".utf8) + [0]
            + Array("Palette".utf8) + [0] + HandMadePNG.zlibStored(utf8))
        let data = HandMadePNG.file(width: 1, height: 1, bitDepth: 8, colorType: 0, rows: [[7]],
                                    extraChunks: [text, zText, international])
        #expect(try PNG.textChunks(data: data) == ["Title": "café", "Author": "Ada Lovelace", "Palette": "палитра 🎨"])
        #expect(try PNG.decode(data: data).pixels == [7])
    }

    @Test func rejectsBadCompressedText() throws {
        let broken = HandMadePNG.chunk("zTXt", Array("Author".utf8) + [0, 0, 0x78, 0x01, 0xFF, 0xFF])
        let data = HandMadePNG.file(width: 1, height: 1, bitDepth: 8, colorType: 0, rows: [[7]], extraChunks: [broken])
        #expect(throws: ImageCodecError.self) { try PNG.textChunks(data: data) }
    }

    @Test(arguments: ["", "  leading", "trailing ", "double  space", String(repeating: "k", count: 80), "tab\there", "日本"])
    func rejectsInvalidKeywords(keyword: String) throws {
        #expect(throws: ImageCodecError.self) { try PNG.encode(Self.image(), textChunks: [keyword: "x"]) }
    }
}
