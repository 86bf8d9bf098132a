import Foundation
import ImageCodecs
import SemanticDraw
import TensorRuntime
import Testing

/// Brush masks from PNG files and embedded data: docs/ALGORITHM.md §2 polarity (grey value,
/// RGBA alpha, RGB luminance as Pillow's `convert("L")`; 1 = inside), bilinear resizing to the
/// canvas as PyTorch's `interpolate(mode="bilinear", align_corners=False)` with a note, and
/// errors naming the brush and the file.
@Suite struct PaletteMaskTests {
    static func palette(masks: [ImageReference], width: Int = 8, height: Int = 8, baseFolder: String?) -> Palette {
        Palette(width: width, height: height, model: "tiny-random",
                brushes: masks.enumerated().map { index, mask in
                    Palette.Brush(name: "brush \(index)", color: "#112233", prompt: "prompt \(index)", mask: mask)
                }, baseFolder: baseFolder)
    }

    static func embedded(_ image: Image) throws -> ImageReference { .data(try PNG.encode(image)) }

    @Test func loadsTheExampleMasks() throws {
        let palette = try Palette.load(path: PaletteTestSupport.examplePath)
        let loaded = try palette.loadMasks()
        #expect(loaded.masks.map(\.shape) == [[48, 64], [48, 64], [48, 64]])
        #expect(loaded.masks[0].scalars.allSatisfy { $0 == 1 }, "white greyscale = inside everywhere")
        let sky = loaded.masks[1].scalars
        #expect(sky[0] == 1 && sky[15 * 64] == 1 && sky[16 * 64] == Float(128) / 255 && sky[17 * 64] == 0, "RGBA: alpha, colour ignored")
        #expect(loaded.masks[2].scalars[0] == 0, "black RGB = outside")
        #expect(loaded.masks[2].scalars[28 * 64 + 32] == 1, "inside the white disc")
        #expect(loaded.notes == ["brushes[2].mask: 32 x 24 resized bilinearly to 64 x 48"])
    }

    @Test func followsThePolarityOfEachLayout() throws {
        let grey = try Image(width: 8, height: 8, channels: 1, pixels: (0..<64).map { UInt8($0 * 4) })
        var rgbPixels = [UInt8](repeating: 255, count: 64 * 3) // white
        rgbPixels[0...2] = [255, 0, 0]   // red: Pillow L = 76
        rgbPixels[3...5] = [0, 0, 0]     // black
        rgbPixels[6...8] = [10, 200, 30] // Pillow L = 124
        let rgb = try Image(width: 8, height: 8, channels: 3, pixels: rgbPixels)
        var rgbaPixels = [UInt8](repeating: 0, count: 64 * 4)
        rgbaPixels[0...3] = [0, 0, 0, 255]       // black but opaque: inside
        rgbaPixels[4...7] = [255, 255, 255, 0]   // white but transparent: outside
        rgbaPixels[8...11] = [255, 255, 255, 51] // alpha 0.2
        let rgba = try Image(width: 8, height: 8, channels: 4, pixels: rgbaPixels)
        let palette = Self.palette(masks: [try Self.embedded(grey), try Self.embedded(rgb), try Self.embedded(rgba)], baseFolder: nil)
        let masks = try palette.loadMasks().masks.map(\.scalars)
        #expect(masks[0] == (0..<64).map { Float($0 * 4) / 255 })
        #expect(Array(masks[1][0..<4]) == [Float(76) / 255, 0, Float(124) / 255, 1])
        #expect(Array(masks[2][0..<4]) == [1, 0, Float(51) / 255, 0])
    }

    @Test func resizesBilinearlyLikePyTorch() throws {
        // A 4 x 2 mask onto an 8 x 8 canvas. Expected values from the align_corners=False rule
        // written out independently: source = max(0, (destination + 0.5) * in/out - 0.5).
        let values: [UInt8] = [0, 255, 51, 102, 255, 0, 204, 153]
        let image = try Image(width: 4, height: 2, channels: 1, pixels: values)
        let palette = Self.palette(masks: [try Self.embedded(image)], baseFolder: nil)
        let loaded = try palette.loadMasks()
        #expect(loaded.notes == ["brushes[0].mask: 4 x 2 resized bilinearly to 8 x 8"])
        func taps(_ destination: Int, input: Int, output: Int) -> (Int, Int, Double) {
            let source = max(0, (Double(destination) + 0.5) * Double(input) / Double(output) - 0.5)
            let low = min(Int(source), input - 1)
            return (low, min(low + 1, input - 1), source - Double(low))
        }
        var worst = 0.0
        for row in 0..<8 {
            let (top, bottom, rowWeight) = taps(row, input: 2, output: 8)
            for column in 0..<8 {
                let (left, right, columnWeight) = taps(column, input: 4, output: 8)
                func sample(_ y: Int, _ x: Int) -> Double { Double(values[y * 4 + x]) / 255 }
                let upper = sample(top, left) * (1 - columnWeight) + sample(top, right) * columnWeight
                let lower = sample(bottom, left) * (1 - columnWeight) + sample(bottom, right) * columnWeight
                let expected = upper * (1 - rowWeight) + lower * rowWeight
                worst = max(worst, abs(Double(loaded.masks[0].scalars[row * 8 + column]) - expected))
            }
        }
        #expect(worst < 1e-6, "max-abs \(worst)")
    }

    @Test func notesSuspiciousMasks() throws {
        let opaque = try Image(width: 8, height: 8, channels: 4, repeating: 255)
        let empty = try Image(width: 8, height: 8, channels: 1, repeating: 0)
        let notes = try Self.palette(masks: [try Self.embedded(opaque), try Self.embedded(empty)], baseFolder: nil).loadMasks().notes
        #expect(notes.count == 2)
        #expect(notes[0].hasPrefix("brushes[0].mask: an RGBA image that is opaque everywhere"))
        #expect(notes[1] == "brushes[1].mask: the mask is empty (0 everywhere), so this brush paints nothing")
    }

    @Test func namesMissingAndUnreadableMasks() throws {
        let folder = try PaletteTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("not a png".utf8).write(to: folder.appendingPathComponent("notes.png"))
        try PNG.write(try Image(width: 8, height: 8, channels: 1, repeating: 255), to: folder.appendingPathComponent("good.png").path)

        let missing = Self.palette(masks: [.file("good.png"), .file("masks/gone.png")], baseFolder: folder.path)
        let gone = folder.appendingPathComponent("masks/gone.png").path
        #expect(throws: PaletteError.missingImageFile(field: "brushes[1].mask", path: gone)) { try missing.loadMasks() }
        #expect(PaletteError.missingImageFile(field: "brushes[1].mask", path: gone).description
            == "brushes[1].mask: the file \(gone) does not exist")

        let unreadable = Self.palette(masks: [.file("notes.png")], baseFolder: folder.path)
        do {
            _ = try unreadable.loadMasks()
            Issue.record("a text file loaded as a mask")
        } catch let error as PaletteError {
            #expect(error.description == "brushes[0].mask: cannot read \(folder.appendingPathComponent("notes.png").path) as a PNG image: it does not start with the PNG signature")
        }
        let corrupt = Self.palette(masks: [.file("good.png"), .data(Data([0x89, 0x50, 0x4E, 0x47]))], baseFolder: folder.path)
        #expect(throws: PaletteError.unreadableImage(field: "brushes[1].mask", source: "embedded data",
                                                     reason: "it does not start with the PNG signature")) { try corrupt.loadMasks() }
        // Embedding checks the files too.
        #expect(throws: PaletteError.missingImageFile(field: "brushes[1].mask", path: gone)) { try missing.encode(embeddingMasks: true) }
    }
}
