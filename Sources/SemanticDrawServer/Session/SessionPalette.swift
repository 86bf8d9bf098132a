import Foundation
import ImageCodecs
import SemanticDraw
import TensorRuntime

/// The server's copy of one session's palette (what the browser sees), kept beside the
/// stream so a `save` can write the palette into the PNG and `order` can rebuild the brush order.
struct SessionPalette: Sendable {
    struct Brush: Sendable {
        var id: String
        var name: String
        var color: String
        var prompt: String
        var negativePrompt: String?
        var promptStrength: Float = 1
        var maskAlpha: Float = 1
        var maskBlur: Float = 8
        /// The last mask PNG the client sent (nil: empty so far, or ``coversCanvas``).
        var maskPNG: Data?
        var mask: Tensor?
        /// Imported from a palette brush without a mask: the brush covers the canvas (an all-white
        /// mask), as `generate` reads such a brush, until a `mask` message gives it one.
        var coversCanvas = false

        var streamBrush: StreamBrush {
            StreamBrush(id: id, prompt: .text(prompt), negativePrompt: negativePrompt.map(PromptInput.text), promptStrength: promptStrength,
                        mask: mask, maskAlpha: maskAlpha, maskBlur: Double(maskBlur))
        }
    }

    var brushes: [Brush] = []
    var backgroundPrompt: String?
    var backgroundNegativePrompt: String?
    var backgroundPNG: Data?
    /// The background image as the stream takes it (decoded from ``backgroundPNG``).
    var backgroundImage: Tensor?
    /// Whether a background image without a prompt may be captioned (the `background` message's
    /// or the imported palette's `caption`, true unless false).
    var backgroundCaptionAllowed = true
    /// Whether ``backgroundPrompt`` is the server's caption of the image (saved as `caption: true`).
    var backgroundCaptioned = false
    var seed: UInt64

    /// Whether the background asks for a caption: an image, no (non-blank) prompt, captioning allowed.
    var backgroundNeedsCaption: Bool {
        backgroundPNG != nil && backgroundCaptionAllowed && (backgroundPrompt ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    var brushIDs: [String] { brushes.map(\.id) }

    /// The palette (docs/PALETTE.md) of this session, images embedded.
    func palette(width: Int, height: Int, model: String, family: ModelFamily, accelerator: Accelerator,
                 settings: StreamSettings, precision: Precision = .fp32) throws -> Palette {
        let emptyMask = try PNG.encode(Image(width: width, height: height, channels: 1, repeating: 0))
        let paletteBrushes = brushes.map { brush in
            Palette.Brush(name: brush.name.isEmpty ? brush.id : brush.name, color: Self.validColor(brush.color), prompt: brush.prompt,
                          negativePrompt: brush.negativePrompt, mask: brush.coversCanvas ? nil : .data(brush.maskPNG ?? emptyMask), maskAlpha: brush.maskAlpha,
                          maskBlur: brush.maskBlur, promptStrength: brush.promptStrength)
        }
        var palette = Palette(width: width, height: height, seed: seed, model: model, guidance: settings.guidance,
                              bootstrapSteps: settings.bootstrapSteps, bootstrapMix: settings.bootstrapMix, quantization: settings.quantization,
                              background: Palette.Background(image: backgroundPNG.map(ImageReference.data), prompt: backgroundPrompt,
                                                             negativePrompt: backgroundNegativePrompt,
                                                             caption: backgroundCaptioned ? true : nil),
                              brushes: paletteBrushes)
        palette.accelerator = accelerator
        palette.family = family
        palette.precision = precision
        let eta = settings.scheduler.kind == .tcd ? settings.scheduler.eta : nil
        if case .slots(let slots) = settings.schedule { palette.schedule = Palette.Schedule(slots: slots, eta: eta) }
        if case .steps(let steps) = settings.schedule { palette.schedule = Palette.Schedule(steps: steps, eta: eta) }
        return palette
    }

    static func validColor(_ color: String) -> String {
        let hex = color.dropFirst()
        return color.hasPrefix("#") && hex.count == 6 && hex.allSatisfy(\.isHexDigit) ? color.uppercased() : "#808080"
    }
}
