extension Blip2Configuration {
    /// The architecture of `Salesforce/blip2-opt-2.7b` (its config.json: EVA-CLIP ViT-g vision
    /// model 1408 wide, 39 layers, 14 px patches at 224 px; Q-Former 768 wide, 12 layers, cross
    /// attention every 2nd; 32 queries; OPT-2.7b 2560 wide, 32 layers, 32 heads, vocabulary
    /// 50272; `<image>` id 50265): 3.74 billion parameters, about 15 GB in float32. For
    /// benchmarks with random weights (`semantic-draw bench --case blip2-caption`).
    public static let blip2OPT27b = Blip2Configuration(vision: Blip2VisionConfiguration(), qformer: Blip2QFormerConfiguration(),
                                                       text: OPTConfiguration(), queryTokenCount: 32, imageTokenId: 50265)
}
