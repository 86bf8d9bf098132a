/// SDXL's additional time embedding (`addition_embed_type: "text_time"` in `unet/config.json`):
/// the pooled text embedding and the size/crop conditioning ids ("time ids") are embedded and
/// added to the timestep embedding, as diffusers' `UNet2DConditionModel.get_aug_embed` does.
///
/// Each time id goes through the sinusoidal embedding of width ``timeEmbeddingDimension``; the
/// flattened result is concatenated after the text embedding, and the concatenation, of width
/// ``projectionInputDimension``, goes through `add_embedding` (linear, SiLU, linear).
public struct TextTimeEmbeddingConfiguration: Sendable, Equatable {
    /// `addition_time_embed_dim`: the sinusoidal embedding width of one time id (256 in SDXL).
    public var timeEmbeddingDimension: Int
    /// `projection_class_embeddings_input_dim`: text embedding width plus time ids times
    /// ``timeEmbeddingDimension`` (SDXL base: 1280 + 6 x 256 = 2816).
    public var projectionInputDimension: Int

    /// The number of time ids SDXL's base pipeline passes: original size (h, w), crop top-left
    /// (y, x) and target size (h, w).
    public static let standardTimeIDCount = 6

    public init(timeEmbeddingDimension: Int, projectionInputDimension: Int) {
        self.timeEmbeddingDimension = timeEmbeddingDimension
        self.projectionInputDimension = projectionInputDimension
    }

    /// The text embedding width that goes with `timeIDCount` time ids (1280 for SDXL base), or
    /// nil when the time ids alone are wider than the projection input.
    public func textEmbeddingDimension(timeIDCount: Int = standardTimeIDCount) -> Int? {
        let width = projectionInputDimension - timeIDCount * timeEmbeddingDimension
        return width > 0 ? width : nil
    }

    /// nil without `addition_embed_type: "text_time"`; otherwise both dimensions, which are then
    /// required and positive.
    init?(raw: RawUNetConfiguration, file: String) throws {
        guard raw.additionEmbedType == "text_time" else { return nil }
        func required(_ value: Int?, _ field: String) throws -> Int {
            guard let value else {
                throw ModelLoadingError.invalidConfiguration(file: file, field: field, reason: "is required when addition_embed_type is \"text_time\"")
            }
            guard value > 0 else {
                throw ModelLoadingError.invalidConfiguration(file: file, field: field, reason: "is \(value), expected a positive width")
            }
            return value
        }
        timeEmbeddingDimension = try required(raw.additionTimeEmbedDim, "addition_time_embed_dim")
        projectionInputDimension = try required(raw.projectionClassEmbeddingsInputDim, "projection_class_embeddings_input_dim")
    }
}
