/// Every LoRA-adaptable module of one network (a linear or convolution weight of the real
/// checkpoint) under every name a LoRA file may give it, so that LoRA keys are resolved against
/// the modules the network has, never by string rewriting alone.
///
/// Names of a module at diffusers/transformers path `p` (its weight is `p.weight`):
/// - dotted: `p`; for the text encoders also `p` with `text_model.` added or removed (transformers
///   4 checkpoints and LoRAs have the prefix, transformers 5 saves without it); SD3's transformer
///   has only its diffusers paths (PEFT adapters and diffusers LoRAs spell them so);
/// - underscored (kohya): each dotted name with dots replaced by underscores, and for the UNet
///   the underscored original Stable Diffusion (LDM) name from ``LDMUNetModuleNames``.
///
/// A name shared by two modules is ambiguous and resolving it is an error.
struct LoRAModuleIndex: Sendable {
    /// Weight shape per module path.
    let weightShapes: [String: [Int]]
    private let dotted: [String: [String]]
    private let underscored: [String: [String]]

    /// Indexes the modules among `weightShapes` (every tensor of the checkpoint by key) that a
    /// LoRA can adapt: `.weight` tensors of rank 2 or 4 that are not embedding tables.
    init(target: LoRATarget, weightShapes allShapes: [String: [Int]], unetConfiguration: UNetConfiguration?) {
        var shapes: [String: [Int]] = [:]
        for (key, shape) in allShapes where key.hasSuffix(".weight") && (shape.count == 2 || shape.count == 4) {
            let module = String(key.dropLast(".weight".count))
            if module.split(separator: ".").last?.hasSuffix("embedding") == true { continue }
            shapes[module] = shape
        }
        let ldmNames = unetConfiguration.map { LDMUNetModuleNames(configuration: $0) }
        var dotted: [String: Set<String>] = [:], underscored: [String: Set<String>] = [:]
        for module in shapes.keys {
            var names = [module]
            if target == .textEncoder || target == .textEncoder2 {
                names.append(module.hasPrefix("text_model.") ? String(module.dropFirst("text_model.".count)) : "text_model." + module)
            }
            for name in names {
                dotted[name, default: []].insert(module)
                underscored[Self.underscore(name), default: []].insert(module)
            }
            if target == .unet, let ldm = ldmNames?.ldmPath(of: module) {
                underscored[Self.underscore(ldm), default: []].insert(module)
            }
        }
        weightShapes = shapes
        self.dotted = dotted.mapValues { $0.sorted() }
        self.underscored = underscored.mapValues { $0.sorted() }
    }

    /// The module paths `name` (spelled as `spelling`) may stand for: none, one, or several
    /// (ambiguous).
    func modules(named name: String, spelling: LoRAModuleSpelling) -> [String] {
        switch spelling {
        case .dotted: return dotted[name] ?? []
        case .underscored: return underscored[name] ?? []
        }
    }

    static func underscore(_ path: String) -> String { path.replacingOccurrences(of: ".", with: "_") }
}
