/// A model loaded for generation: its networks (``ModelComponents``, LoRAs fused) and where
/// they came from.
public struct LoadedModel: Sendable {
    /// The networks.
    public let components: ModelComponents
    /// Where each part came from (folders, files, repo ids with commits), for logs.
    public let sources: [String]
    /// Things the user should know (e.g. the tiny-random warning).
    public let notes: [String]

    public init(components: ModelComponents, sources: [String], notes: [String]) {
        self.components = components
        self.sources = sources
        self.notes = notes
    }

    /// The one-shot region pipeline over this model.
    public var regionPipeline: RegionPipeline { RegionPipeline(components: components) }
}
