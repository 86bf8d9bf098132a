import Foundation
import ImageCodecs
import SemanticDraw
import TensorRuntime

extension SessionPalette {
    /// Applies a palette-changing message to this copy and returns the stream updates that make
    /// the stream follow; on error nothing changes.
    mutating func apply(_ message: ClientMessage, limits: ServerLimits) throws(ClientMessageError) -> [StreamUpdate] {
        switch message {
        case .brush(let fields):
            return try applyBrush(fields, limits: limits)
        case .mask(let id, let png):
            guard let index = brushes.firstIndex(where: { $0.id == id }) else { throw ClientMessageError("mask: no brush \"\(id)\"", request: "mask") }
            let image = try Self.decodeImage(png, request: "mask", field: "mask", limits: limits)
            let mask = image.brushMask()
            brushes[index].maskPNG = png
            brushes[index].mask = mask
            brushes[index].coversCanvas = false
            return [.mask(id: id, mask)]
        case .removeBrush(let id):
            guard brushes.contains(where: { $0.id == id }) else { throw ClientMessageError("remove_brush: no brush \"\(id)\"", request: "remove_brush") }
            brushes.removeAll { $0.id == id }
            return [.removeBrush(id: id)]
        case .order(let ids):
            guard ids.count == brushes.count, Set(ids) == Set(brushIDs) else {
                throw ClientMessageError("order: \"ids\" must list every brush once (\(brushIDs.joined(separator: ", ")))", request: "order")
            }
            let byID = Dictionary(uniqueKeysWithValues: brushes.map { ($0.id, $0) })
            brushes = ids.compactMap { byID[$0] }
            // Re-adding back to front puts each in front of the ones before it.
            return brushes.map { StreamUpdate.removeBrush(id: $0.id) } + brushes.map { StreamUpdate.addBrush($0.streamBrush) }
        case .background(let prompt, let negativePrompt, let png, let caption):
            var image: Tensor?
            if let png { image = Palette.channelsLastRGB(try Self.decodeImage(png, request: "background", field: "image", limits: limits)) }
            backgroundPrompt = prompt
            backgroundNegativePrompt = negativePrompt
            backgroundPNG = png
            backgroundImage = image
            backgroundCaptionAllowed = caption ?? true
            backgroundCaptioned = false
            return [backgroundUpdate]
        case .seed(let seed):
            self.seed = seed
            return [.seed(seed)]
        case .palette(let data):
            return try replace(withPaletteJSON: data, limits: limits)
        case .play, .pause, .save:
            return []
        }
    }

    private mutating func applyBrush(_ fields: ClientMessage.BrushFields, limits: ServerLimits) throws(ClientMessageError) -> [StreamUpdate] {
        if let index = brushes.firstIndex(where: { $0.id == fields.id }) {
            var brush = brushes[index]
            if let prompt = fields.prompt {
                guard !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw ClientMessageError("brush: \"prompt\" is empty", request: "brush")
                }
                brush.prompt = prompt
            }
            if let negative = fields.negativePrompt { brush.negativePrompt = negative.isEmpty ? nil : negative }
            if let strength = fields.promptStrength { brush.promptStrength = strength }
            if let alpha = fields.maskAlpha { brush.maskAlpha = alpha }
            if let blur = fields.maskBlur { brush.maskBlur = blur }
            if let name = fields.name { brush.name = name }
            if let color = fields.color { brush.color = color }
            brushes[index] = brush
            let edit = StreamBrushEdit(prompt: fields.prompt.map(PromptInput.text),
                                       negativePrompt: fields.negativePrompt.map { PromptInput.text($0) },
                                       promptStrength: fields.promptStrength, maskAlpha: fields.maskAlpha,
                                       maskBlur: fields.maskBlur.map(Double.init))
            return [.editBrush(id: fields.id, edit)]
        }
        guard brushes.count < limits.brushes else {
            throw ClientMessageError("brush: a session has at most \(limits.brushes) brushes", request: "brush")
        }
        guard let prompt = fields.prompt, !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ClientMessageError("brush: a new brush needs a non-empty \"prompt\"", request: "brush")
        }
        let brush = Brush(id: fields.id, name: fields.name ?? fields.id, color: fields.color ?? "#808080", prompt: prompt,
                          negativePrompt: fields.negativePrompt.flatMap { $0.isEmpty ? nil : $0 },
                          promptStrength: fields.promptStrength ?? 1, maskAlpha: fields.maskAlpha ?? 1, maskBlur: fields.maskBlur ?? 8)
        brushes.append(brush)
        return [.addBrush(brush.streamBrush)]
    }

    /// Import: brushes `brush-1`...`brush-N` (back to front), background and seed from a palette
    /// whose images are embedded (file references are refused: the server reads no files for clients).
    private mutating func replace(withPaletteJSON data: Data, limits: ServerLimits) throws(ClientMessageError) -> [StreamUpdate] {
        let palette: Palette
        do {
            palette = try Palette.decode(data: data, baseFolder: nil, source: "palette")
            try palette.validate()
        } catch {
            throw ClientMessageError("palette: \(error)", request: "palette")
        }
        guard palette.brushes.count <= limits.brushes else {
            throw ClientMessageError("palette: \(palette.brushes.count) brushes, at most \(limits.brushes)", request: "palette")
        }
        var next = SessionPalette(seed: palette.seed)
        for (index, brush) in palette.brushes.enumerated() {
            var imported = Brush(id: "brush-\(index + 1)", name: brush.name, color: brush.color, prompt: brush.prompt,
                                 negativePrompt: brush.negativePrompt, promptStrength: brush.promptStrength, maskAlpha: brush.maskAlpha,
                                 maskBlur: brush.maskBlur)
            switch brush.mask {
            case .data(let png)?:
                let image = try Self.decodeImage(png, request: "palette", field: "brushes[\(index)].mask", limits: limits)
                imported.maskPNG = png
                imported.mask = image.brushMask()
            case nil:
                // No mask covers the canvas, as `generate` reads it (Palette.loadMasks): an all-white
                // mask, which the stream resizes to its canvas.
                imported.mask = Tensor(shape: [1, 1], repeating: 1)
                imported.coversCanvas = true
            case .file?:
                throw ClientMessageError("palette: brushes[\(index)].mask must be embedded data (the server reads no files)", request: "palette")
            }
            next.brushes.append(imported)
        }
        if let reference = palette.background.image {
            guard case .data(let png) = reference else {
                throw ClientMessageError("palette: background.image must be embedded data (the server reads no files)", request: "palette")
            }
            next.backgroundImage = Palette.channelsLastRGB(try Self.decodeImage(png, request: "palette", field: "background.image",
                                                                                limits: limits))
            next.backgroundPNG = png
        }
        next.backgroundPrompt = palette.background.prompt
        next.backgroundNegativePrompt = palette.background.negativePrompt
        next.backgroundCaptionAllowed = palette.background.caption ?? true
        // A palette saved with its caption (`caption: true` and the prompt) keeps it recorded as one.
        next.backgroundCaptioned = palette.background.caption == true && palette.background.image != nil && !next.backgroundNeedsCaption
        let removals = brushes.map { StreamUpdate.removeBrush(id: $0.id) }
        self = next
        return removals + next.brushes.map { StreamUpdate.addBrush($0.streamBrush) } + [next.backgroundUpdate, .seed(next.seed)]
    }

    /// The stream update that sets the background as this palette has it.
    var backgroundUpdate: StreamUpdate {
        .background(RegionBackground(image: backgroundImage, prompt: backgroundPrompt.map(PromptInput.text),
                                     negativePrompt: backgroundNegativePrompt.map(PromptInput.text)))
    }

    /// Makes `caption` the background prompt (the image keeps no other prompt) and returns the
    /// stream update that follows it.
    mutating func applyCaption(_ caption: String) -> [StreamUpdate] {
        backgroundPrompt = caption
        backgroundCaptioned = true
        return [backgroundUpdate]
    }

    /// A PNG within the size limit (its header is checked before the pixels are decoded); an
    /// error names the message type (`request`) and the field.
    static func decodeImage(_ png: Data, request: String, field: String, limits: ServerLimits) throws(ClientMessageError) -> Image {
        guard let (width, height) = PNG.size(of: png) else {
            throw ClientMessageError("\(request): \"\(field)\" is not a PNG image", request: request)
        }
        guard width > 0, height > 0, width <= limits.imageSide, height <= limits.imageSide else {
            throw ClientMessageError("\(request): \"\(field)\" is \(width) x \(height) pixels, at most \(limits.imageSide) per side",
                                     request: request)
        }
        do {
            return try PNG.decode(data: png, source: field)
        } catch {
            throw ClientMessageError("\(request): \"\(field)\": \(error)", request: request)
        }
    }
}
