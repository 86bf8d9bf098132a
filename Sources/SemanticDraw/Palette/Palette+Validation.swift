import Foundation

extension Palette {
    /// The largest canvas side accepted, in pixels.
    public static let maximumSide = 16384

    /// Checks every value against the format's ranges; throws `PaletteError.invalidField` with
    /// the JSON path of the first bad field, e.g. `brushes[1].mask_alpha: 1.5 is outside 0...1`.
    public func validate() throws {
        guard version == Self.currentVersion else { throw PaletteError.unsupportedVersion(version) }
        for (key, value) in [("width", width), ("height", height)] {
            guard value > 0, value <= Self.maximumSide else {
                throw PaletteError.invalidField(path: key, reason: "\(value) is outside 8...\(Self.maximumSide)")
            }
            guard value.isMultiple(of: 8) else {
                throw PaletteError.invalidField(path: key, reason: "\(value) is not a multiple of 8")
            }
        }
        guard !model.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PaletteError.invalidField(path: "model", reason: "is empty (give a model folder, a repo id or \"tiny-random\")")
        }
        for (index, lora) in loras.enumerated() {
            guard !lora.path.isEmpty else { throw PaletteError.invalidField(path: "loras[\(index)].path", reason: "is empty") }
            guard lora.scale.isFinite else {
                throw PaletteError.invalidField(path: "loras[\(index)].scale", reason: "\(lora.scale) is not a finite number")
            }
        }
        try schedule.validate()
        guard guidance.isFinite, guidance >= 0 else {
            throw PaletteError.invalidField(path: "guidance", reason: "\(guidance) is not a number >= 0")
        }
        guard bootstrapSteps >= 0 else {
            throw PaletteError.invalidField(path: "bootstrap_steps", reason: "\(bootstrapSteps) is negative")
        }
        guard bootstrapMix.isFinite, bootstrapMix >= 0 else {
            throw PaletteError.invalidField(path: "bootstrap_mix", reason: "\(bootstrapMix) is not a number >= 0")
        }
        guard !brushes.isEmpty else {
            throw PaletteError.invalidField(path: "brushes", reason: "a palette needs at least one brush")
        }
        for (index, brush) in brushes.enumerated() { try brush.validate(path: "brushes[\(index)]") }
    }
}

extension Palette.Schedule {
    func validate() throws {
        if let steps, !(1...1000).contains(steps) {
            throw PaletteError.invalidField(path: "schedule.steps", reason: "\(steps) is outside 1...1000")
        }
        guard let slots else { return }
        guard !slots.isEmpty else { throw PaletteError.invalidField(path: "schedule.slots", reason: "is empty") }
        let gridSteps = steps ?? Self.defaultGridSteps
        for (index, slot) in slots.enumerated() {
            guard (0..<gridSteps).contains(slot) else {
                throw PaletteError.invalidField(path: "schedule.slots[\(index)]", reason: "\(slot) is outside 0..<\(gridSteps) (the grid has \(gridSteps) steps)")
            }
            if index > 0, slot <= slots[index - 1] {
                throw PaletteError.invalidField(path: "schedule.slots[\(index)]", reason: "\(slot) does not follow \(slots[index - 1]) (slots increase strictly)")
            }
        }
    }
}

extension Palette.Brush {
    func validate(path: String) throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PaletteError.invalidField(path: "\(path).name", reason: "is empty")
        }
        guard colorComponents != nil else {
            throw PaletteError.invalidField(path: "\(path).color", reason: "\"\(color)\" is not a colour of the form #RRGGBB")
        }
        guard !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw PaletteError.invalidField(path: "\(path).prompt", reason: "is empty (a brush paints its prompt)")
        }
        for (key, value) in [("mask_alpha", maskAlpha), ("prompt_strength", promptStrength)] {
            guard value.isFinite, (0...1).contains(value) else {
                throw PaletteError.invalidField(path: "\(path).\(key)", reason: "\(value) is outside 0...1")
            }
        }
        guard maskBlur.isFinite, maskBlur >= 0 else {
            throw PaletteError.invalidField(path: "\(path).mask_blur", reason: "\(maskBlur) is not a number >= 0 (pixels)")
        }
    }
}
