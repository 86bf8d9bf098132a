import Foundation
import SemanticDraw

/// Palette JSON (`Palette.decode`, docs/PALETTE.md) as `generate --palette` reads it, relative
/// mask files resolving in a folder holding the three masks of the example palette. An accepted
/// palette must re-encode to JSON that decodes to the same palette; small ones also load their
/// masks and generation inputs.
enum PaletteFuzz {
    nonisolated(unsafe) static var folder = ""
    /// The largest canvas whose masks are loaded per input.
    static let loadedPixels = 256 * 256

    static let target = FuzzTarget(name: "palette", prepare: {
        folder = FuzzCheck.scratchFolder("palette")
        let masks = folder + "/masks"
        try? FileManager.default.createDirectory(atPath: masks, withIntermediateDirectories: true)
        for name in ["ground", "sky", "cat"] {
            let white = (try? PNGMaskSeed.png(width: 16, height: 12, value: name == "sky" ? 255 : 0)) ?? Data()
            _ = FileManager.default.createFile(atPath: masks + "/\(name).png", contents: white)
        }
    }, run: { data in
        guard let palette = try? Palette.decode(data: data, baseFolder: folder) else { return }
        let encoded = try? palette.encode()
        FuzzCheck.require(encoded != nil, "an accepted palette does not encode")
        let again = encoded.flatMap { try? Palette.decode(data: $0, baseFolder: folder) }
        FuzzCheck.require(again == palette, "an accepted palette does not survive encode/decode")
        guard palette.width * palette.height <= loadedPixels else { return }
        _ = try? palette.regionInputs()
    })
}
