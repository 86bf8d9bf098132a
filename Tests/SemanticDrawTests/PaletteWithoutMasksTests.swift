import Foundation
import SemanticDraw
import TensorRuntime
import Testing

/// Brushes without a `mask` (docs/PALETTE.md): the brush covers the whole canvas; a palette whose
/// only brush has none is plain text-to-image.
@Suite struct PaletteWithoutMasksTests {
    static func palette(brushes: String, extra: String = "") throws -> Palette {
        let json = """
        {"version": 3, "width": 16, "height": 8, "model": "tiny-random"\(extra), "brushes": [\(brushes)]}
        """
        return try Palette.decode(data: Data(json.utf8), baseFolder: PaletteTestSupport.fixtures.path)
    }

    static let unmasked = ##"{"name": "a", "color": "#000000", "prompt": "a cat"}"##
    static let masked = ##"{"name": "b", "color": "#FFFFFF", "prompt": "a hat", "mask": {"file": "masks/sky.png"}}"##

    @Test func oneBrushWithoutAMaskIsTextToImage() throws {
        let palette = try Self.palette(brushes: Self.unmasked)
        #expect(palette.brushes[0].mask == nil && palette.isTextToImage)
        let inputs = try palette.regionInputs()
        #expect(inputs.settings.method == .textToImage)
        #expect(inputs.brushes[0].mask.scalars.allSatisfy { $0 == 1 } && inputs.brushes[0].mask.shape == [8, 16])
        // Encoding leaves the mask out, and the JSON reads back to the same palette.
        let encoded = try palette.encode(embeddingMasks: true)
        #expect(!String(decoding: encoded, as: UTF8.self).contains("\"mask\""))
        var decoded = try Palette.decode(data: encoded, baseFolder: PaletteTestSupport.fixtures.path)
        decoded.baseFolder = palette.baseFolder
        #expect(decoded == palette)
    }

    @Test func aBrushWithoutAMaskAmongOthersCoversTheCanvas() throws {
        let palette = try Self.palette(brushes: Self.unmasked + ", " + Self.masked)
        #expect(!palette.isTextToImage)
        let inputs = try palette.regionInputs()
        #expect(inputs.settings.method == .semanticDraw)
        #expect(inputs.brushes[0].mask.scalars.allSatisfy { $0 == 1 })
        #expect(inputs.brushes[1].mask.scalars.contains { $0 < 1 })
    }

    @Test func theBaselineAndABackgroundAreNotTextToImage() throws {
        let baseline = try Self.palette(brushes: Self.unmasked, extra: #", "schedule": {"scheduler": "ddim", "steps": 2}"#)
        #expect(!baseline.isTextToImage)
        #expect(try baseline.regionInputs().settings.method == .baselineMultiDiffusion)
        for background in [#"{"prompt": "grass"}"#, #"{"image": {"file": "masks/ground.png"}}"#] {
            let palette = try Self.palette(brushes: Self.unmasked, extra: #", "background": "# + background)
            #expect {
                _ = try palette.regionInputs()
            } throws: { error in
                "\(error)".contains("the only brush has no mask, which is plain text-to-image")
            }
        }
    }
}
