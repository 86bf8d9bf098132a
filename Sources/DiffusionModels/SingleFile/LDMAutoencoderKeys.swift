/// The VAE's keys of a single-file checkpoint (`first_stage_model.` stripped) as diffusers names
/// them (port of diffusers 0.42 `single_file_utils.convert_ldm_vae_checkpoint`):
///
/// | LDM | diffusers |
/// |---|---|
/// | `encoder.down.i.block.j` | `encoder.down_blocks.i.resnets.j` |
/// | `encoder.down.i.downsample.conv` | `encoder.down_blocks.i.downsamplers.0.conv` |
/// | `decoder.up.i.block.j` | `decoder.up_blocks.(n-1-i).resnets.j` (reversed order) |
/// | `decoder.up.i.upsample.conv` | `decoder.up_blocks.(n-1-i).upsamplers.0.conv` |
/// | `*.mid.block_1` / `block_2` | `*.mid_block.resnets.0` / `resnets.1` |
/// | `*.mid.attn_1.norm` / `q` / `k` / `v` / `proj_out` | `*.mid_block.attentions.0.group_norm` / `to_q` / `to_k` / `to_v` / `to_out.0` |
/// | `*.norm_out` | `*.conv_norm_out` |
/// | resnet `nin_shortcut` | `conv_shortcut` |
///
/// `conv_in`, `conv_out`, `quant_conv`, `post_quant_conv` keep their names. The attention's
/// q/k/v/proj_out weights are [C, C, 1, 1] convolutions in LDM and [C, C] linear layers in
/// diffusers: the same elements, reshaped.
struct LDMAutoencoderKeys {
    /// The number of blocks (`block_out_channels.count`), for the reversed decoder order.
    let blockCount: Int

    private static let attentionParts = ["norm": "group_norm", "q": "to_q", "k": "to_k", "v": "to_v", "proj_out": "to_out.0"]

    /// The diffusers tensor for the LDM key `key` (prefix stripped) of shape `shape`, or nil when
    /// the key is not part of an `AutoencoderKL`.
    func convert(_ key: String, sourceKey: String, shape: [Int]) -> [String: ConvertedTensor]? {
        var parts = key.split(separator: ".").map(String.init)
        guard parts.count >= 2 else { return nil }
        let single = { (name: String) in [name: ConvertedTensor(sourceKey, shape: shape)] }
        if ["quant_conv", "post_quant_conv"].contains(parts[0]) { return single(key) }
        guard parts[0] == "encoder" || parts[0] == "decoder" else { return nil }
        let half = parts[0]
        if parts[1] == "norm_out" { parts[1] = "conv_norm_out" }
        if ["conv_in", "conv_out", "conv_norm_out"].contains(parts[1]) { return single(parts.joined(separator: ".")) }

        func renamedResnet(_ rest: ArraySlice<String>) -> String {
            rest.map { $0 == "nin_shortcut" ? "conv_shortcut" : $0 }.joined(separator: ".")
        }
        // encoder.down.I.block.J.* / encoder.down.I.downsample.conv.*; decoder.up.I.block.J.* / decoder.up.I.upsample.conv.*
        if (half == "encoder" && parts[1] == "down") || (half == "decoder" && parts[1] == "up"), parts.count >= 5,
           let index = Int(parts[2]), index >= 0, index < blockCount {
            let block = half == "encoder" ? "\(half).down_blocks.\(index)" : "\(half).up_blocks.\(blockCount - 1 - index)"
            if parts[3] == "block", let layer = Int(parts[4]), parts.count >= 6 {
                return single("\(block).resnets.\(layer).\(renamedResnet(parts[5...]))")
            }
            if parts[3] == (half == "encoder" ? "downsample" : "upsample"), parts[4] == "conv", parts.count == 6 {
                return single("\(block).\(half == "encoder" ? "downsamplers" : "upsamplers").0.conv.\(parts[5])")
            }
            return nil
        }
        guard parts[1] == "mid", parts.count >= 4 else { return nil }
        switch parts[2] {
        case "block_1", "block_2":
            return single("\(half).mid_block.resnets.\(parts[2] == "block_1" ? 0 : 1).\(renamedResnet(parts[3...]))")
        case "attn_1":
            guard parts.count == 5, let module = Self.attentionParts[parts[3]] else { return nil }
            let name = "\(half).mid_block.attentions.0.\(module).\(parts[4])"
            if module != "group_norm", parts[4] == "weight", shape.count == 4, shape[2] == 1, shape[3] == 1 {
                return [name: ConvertedTensor(sourceKey, shape: Array(shape.prefix(2)), transform: .reshape)]
            }
            return single(name)
        default:
            return nil
        }
    }
}
