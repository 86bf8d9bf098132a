import Foundation
import ImageCodecs
import TensorRuntime

extension Palette {
    /// Reads every brush's mask (files or embedded data) and converts it with docs/ALGORITHM.md
    /// §2's polarity (`Image.brushMask()`); a mask of another size is resized bilinearly to the
    /// canvas, as PyTorch's `interpolate(mode="bilinear", align_corners=False)`, with a note. A
    /// brush without a mask covers the canvas: its mask is 1 everywhere.
    /// Throws `PaletteError.missingImageFile` or `.unreadableImage` naming the brush and file.
    public func loadMasks() throws -> PaletteMasks {
        var masks: [Tensor] = []
        var notes: [String] = []
        for (index, brush) in brushes.enumerated() {
            let field = "brushes[\(index)].mask"
            guard let reference = brush.mask else {
                masks.append(Tensor(shape: [height, width], repeating: 1))
                continue
            }
            let image = try loadImage(reference, field: field)
            var mask = image.brushMask()
            if image.channels == 4, image.alpha()?.allSatisfy({ $0 == 255 }) == true {
                notes.append("\(field): an RGBA image that is opaque everywhere, so the whole canvas is inside "
                    + "(RGBA masks use alpha; save greyscale or RGB to use brightness)")
            }
            if image.width != width || image.height != height {
                mask = mask.resizedBilinear(height: height, width: width)
                notes.append("\(field): \(image.width) x \(image.height) resized bilinearly to \(width) x \(height)")
            }
            if mask.scalars.allSatisfy({ $0 == 0 }) {
                notes.append("\(field): the mask is empty (0 everywhere), so this brush paints nothing")
            }
            masks.append(mask)
        }
        return PaletteMasks(masks: masks, notes: notes)
    }

    /// The background image at its own size, or nil when the palette has none.
    public func loadBackgroundImage() throws -> Image? {
        guard let reference = background.image else { return nil }
        return try loadImage(reference, field: "background.image")
    }

    /// Decodes the image `reference` (named `field` in errors).
    public func loadImage(_ reference: ImageReference, field: String) throws -> Image {
        switch reference {
        case .file:
            let path = reference.resolvedPath(baseFolder: baseFolder) ?? ""
            let data = try Self.readImageFile(path: path, field: field)
            do {
                return try PNG.decode(data: data, source: path)
            } catch {
                throw PaletteError.unreadableImage(field: field, source: path, reason: Self.reason(error))
            }
        case .data(let data):
            do {
                return try PNG.decode(data: data, source: "embedded data")
            } catch {
                throw PaletteError.unreadableImage(field: field, source: "embedded data", reason: Self.reason(error))
            }
        }
    }

    private static func reason(_ error: any Error) -> String {
        if case ImageCodecError.corrupt(_, let reason) = error { return reason }
        if case ImageCodecError.unsupported(_, let reason) = error { return reason }
        return "\(error)"
    }
}
