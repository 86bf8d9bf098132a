import TensorRuntime

/// A palette's brush masks at canvas size, ready for `MaskProcessor`, and notes on what was
/// done to them on the way (resizing, suspicious content).
public struct PaletteMasks: Sendable {
    /// One `[height, width]` mask per brush, in brush order, values in 0...1 (1 = inside).
    public let masks: [Tensor]
    /// Human-readable notes, each starting with the JSON path of the mask it is about.
    public let notes: [String]

    /// Masks and notes.
    public init(masks: [Tensor], notes: [String]) {
        self.masks = masks
        self.notes = notes
    }
}
