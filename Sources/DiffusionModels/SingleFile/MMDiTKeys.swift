/// The transformer of an SD3/SD3.5 single file — Stability's original MMDiT layout under
/// `model.diffusion_model.` — as diffusers' `SD3Transformer2DModel` names it: a port of diffusers
/// 0.42.1 `single_file_utils.convert_sd3_transformer_checkpoint_to_diffusers`.
///
/// | MMDiT | diffusers |
/// |---|---|
/// | `pos_embed` | `pos_embed.pos_embed` |
/// | `x_embedder.proj` | `pos_embed.proj` |
/// | `t_embedder.mlp.0` / `.2` | `time_text_embed.timestep_embedder.linear_1` / `linear_2` |
/// | `y_embedder.mlp.0` / `.2` | `time_text_embed.text_embedder.linear_1` / `linear_2` |
/// | `context_embedder` | `context_embedder` |
/// | `joint_blocks.i.x_block.attn.qkv` [3D, ...] | `transformer_blocks.i.attn.to_q` / `to_k` / `to_v` (rows thirds) |
/// | `joint_blocks.i.context_block.attn.qkv` | `transformer_blocks.i.attn.add_q_proj` / `add_k_proj` / `add_v_proj` |
/// | `joint_blocks.i.{x,context}_block.attn.ln_q` / `ln_k` | `attn.norm_q` / `norm_k`, `attn.norm_added_q` / `norm_added_k` (qk norm) |
/// | `joint_blocks.i.x_block.attn.proj` | `transformer_blocks.i.attn.to_out.0` |
/// | `joint_blocks.i.context_block.attn.proj` | `transformer_blocks.i.attn.to_add_out` (not in the last block) |
/// | `joint_blocks.i.x_block.attn2.qkv` / `proj` / `ln_q` / `ln_k` | `transformer_blocks.i.attn2.to_q/k/v` / `to_out.0` / `norm_q` / `norm_k` (dual attention) |
/// | `joint_blocks.i.x_block.adaLN_modulation.1` | `transformer_blocks.i.norm1.linear` |
/// | `joint_blocks.i.context_block.adaLN_modulation.1` | `transformer_blocks.i.norm1_context.linear` (last block: halves swapped) |
/// | `joint_blocks.i.x_block.mlp.fc1` / `fc2` | `transformer_blocks.i.ff.net.0.proj` / `ff.net.2` |
/// | `joint_blocks.i.context_block.mlp.fc1` / `fc2` | `transformer_blocks.i.ff_context.net.0.proj` / `net.2` (not in the last block) |
/// | `final_layer.linear` | `proj_out` |
/// | `final_layer.adaLN_modulation.1` | `norm_out.linear` (halves swapped) |
///
/// "Halves swapped" is diffusers' `swap_scale_shift`: MMDiT's continuous norms emit (shift,
/// scale), diffusers' `AdaLayerNormContinuous` (scale, shift). The last block is context-only:
/// its context stream has no output projection and no MLP.
struct MMDiTKeys {
    /// `num_layers`: the highest `joint_blocks` index + 1.
    let layerCount: Int
    /// The blocks with `attn2` keys (SD3.5 Medium's dual attention).
    let dualAttentionLayers: Set<Int>
    /// Whether any key has `ln_q` (SD3.5's RMS qk norm).
    let hasQueryKeyNormalization: Bool

    /// The converted tensors from the transformer's keys `shapes` (prefix stripped; `prefix`
    /// restores the file's key names), strictly: every expected key must be there (else
    /// ``SingleFileError/missingTensor(path:key:reason:)`` naming it) and every key must be
    /// used (else ``SingleFileError/unknownKeys(path:keys:)``).
    func convert(shapes: [String: [Int]], prefix: String, path: String) throws -> [String: ConvertedTensor] {
        var result: [String: ConvertedTensor] = [:]
        var used: Set<String> = []
        func source(_ key: String, _ reason: String) throws -> [Int] {
            guard let shape = shapes[key] else {
                throw SingleFileError.missingTensor(path: path, key: prefix + key, reason: reason)
            }
            used.insert(key)
            return shape
        }
        func map(_ target: String, _ key: String, swapped: Bool = false, _ reason: String = "the SD3 transformer needs it") throws {
            let shape = try source(key, reason)
            if swapped {
                guard let rows = shape.first, rows % 2 == 0 else {
                    throw SingleFileError.invalidTensor(path: path, key: prefix + key, shape: shape,
                                                        reason: "is not two stacked (shift, scale) halves (an even first dimension)")
                }
            }
            result[target] = ConvertedTensor(prefix + key, shape: shape, transform: swapped ? .swapHalves : .none)
        }
        func split(_ key: String, into targets: [String], _ reason: String) throws {
            let shape = try source(key, reason)
            guard let rows = shape.first, rows % 3 == 0, rows > 0 else {
                throw SingleFileError.invalidTensor(path: path, key: prefix + key, shape: shape,
                                                    reason: "is not three stacked q/k/v blocks (a first dimension divisible by 3)")
            }
            let third = rows / 3
            for (index, target) in targets.enumerated() {
                result[target] = ConvertedTensor(prefix + key, shape: [third] + shape.dropFirst(),
                                                 transform: .rows(index * third..<(index + 1) * third))
            }
        }

        if shapes["pos_embed"] != nil { try map("pos_embed.pos_embed", "pos_embed") }
        for part in ["weight", "bias"] {
            try map("pos_embed.proj.\(part)", "x_embedder.proj.\(part)")
            try map("time_text_embed.timestep_embedder.linear_1.\(part)", "t_embedder.mlp.0.\(part)")
            try map("time_text_embed.timestep_embedder.linear_2.\(part)", "t_embedder.mlp.2.\(part)")
            try map("context_embedder.\(part)", "context_embedder.\(part)")
            try map("time_text_embed.text_embedder.linear_1.\(part)", "y_embedder.mlp.0.\(part)")
            try map("time_text_embed.text_embedder.linear_2.\(part)", "y_embedder.mlp.2.\(part)")
        }
        for index in 0..<layerCount {
            let block = "transformer_blocks.\(index).", x = "joint_blocks.\(index).x_block.", context = "joint_blocks.\(index).context_block."
            let last = index == layerCount - 1
            let reason = "joint_blocks run 0...\(layerCount - 1) (the highest index found), so every block needs it"
            for part in ["weight", "bias"] {
                try split(x + "attn.qkv.\(part)", into: ["q", "k", "v"].map { block + "attn.to_\($0).\(part)" }, reason)
                try split(context + "attn.qkv.\(part)", into: ["q", "k", "v"].map { block + "attn.add_\($0)_proj.\(part)" }, reason)
                try map(block + "attn.to_out.0.\(part)", x + "attn.proj.\(part)", reason)
                try map(block + "norm1.linear.\(part)", x + "adaLN_modulation.1.\(part)", reason)
                try map(block + "norm1_context.linear.\(part)", context + "adaLN_modulation.1.\(part)", swapped: last, reason)
                try map(block + "ff.net.0.proj.\(part)", x + "mlp.fc1.\(part)", reason)
                try map(block + "ff.net.2.\(part)", x + "mlp.fc2.\(part)", reason)
                if !last {
                    let notLast = "only the last block (\(layerCount - 1)) is context-only"
                    try map(block + "attn.to_add_out.\(part)", context + "attn.proj.\(part)", notLast)
                    try map(block + "ff_context.net.0.proj.\(part)", context + "mlp.fc1.\(part)", notLast)
                    try map(block + "ff_context.net.2.\(part)", context + "mlp.fc2.\(part)", notLast)
                }
                if dualAttentionLayers.contains(index) {
                    let dual = "block \(index) has attn2 keys (dual attention)"
                    try split(x + "attn2.qkv.\(part)", into: ["q", "k", "v"].map { block + "attn2.to_\($0).\(part)" }, dual)
                    try map(block + "attn2.to_out.0.\(part)", x + "attn2.proj.\(part)", dual)
                }
            }
            if hasQueryKeyNormalization {
                let norm = "the file has ln_q keys (qk norm), so every attention needs them"
                try map(block + "attn.norm_q.weight", x + "attn.ln_q.weight", norm)
                try map(block + "attn.norm_k.weight", x + "attn.ln_k.weight", norm)
                try map(block + "attn.norm_added_q.weight", context + "attn.ln_q.weight", norm)
                try map(block + "attn.norm_added_k.weight", context + "attn.ln_k.weight", norm)
                if dualAttentionLayers.contains(index) {
                    try map(block + "attn2.norm_q.weight", x + "attn2.ln_q.weight", norm)
                    try map(block + "attn2.norm_k.weight", x + "attn2.ln_k.weight", norm)
                }
            }
        }
        for part in ["weight", "bias"] {
            try map("proj_out.\(part)", "final_layer.linear.\(part)")
            try map("norm_out.linear.\(part)", "final_layer.adaLN_modulation.1.\(part)", swapped: true)
        }
        let unused = shapes.keys.filter { !used.contains($0) }.sorted()
        if !unused.isEmpty {
            throw SingleFileError.unknownKeys(path: path, keys: unused.map { prefix + $0 })
        }
        return result
    }
}
