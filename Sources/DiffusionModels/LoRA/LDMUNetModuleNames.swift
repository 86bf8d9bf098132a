/// The original Stable Diffusion (CompVis/Stability "LDM" `openaimodel.UNetModel`) names of a
/// diffusers UNet's modules, computed from its configuration the way diffusers'
/// `convert_original_stable_diffusion_to_diffusers.py` lays the blocks out:
///
/// | diffusers | LDM |
/// |---|---|
/// | `conv_in` | `input_blocks.0.0` |
/// | `time_embedding.linear_1` / `linear_2` | `time_embed.0` / `time_embed.2` |
/// | `add_embedding.linear_1` / `linear_2` (SDXL) | `label_emb.0.0` / `label_emb.0.2` |
/// | `down_blocks.i.resnets.j` / `attentions.j` | `input_blocks.n.0` / `input_blocks.n.1`, n counting layers from 1 |
/// | `down_blocks.i.downsamplers.0.conv` | `input_blocks.n.0.op` (n: the slot after block i's layers) |
/// | `mid_block.resnets.0`, `attentions.0`, `resnets.1` | `middle_block.0`, `.1`, `.2` |
/// | `up_blocks.i.resnets.j` / `attentions.j` | `output_blocks.n.0` / `output_blocks.n.1`, n counting from 0 |
/// | `up_blocks.i.upsamplers.0.conv` | `output_blocks.n.1.conv` (no attentions) or `output_blocks.n.2.conv`, n: block i's last layer |
/// | `conv_norm_out` / `conv_out` | `out.0` / `out.2` |
///
/// Inside a resnet, `norm1`, `conv1`, `time_emb_proj`, `norm2`, `conv2`, `conv_shortcut` are
/// `in_layers.0`, `in_layers.2`, `emb_layers.1`, `out_layers.0`, `out_layers.3`,
/// `skip_connection`; transformer (attention) internals keep their names.
public struct LDMUNetModuleNames: Sendable {
    private struct Block: Sendable {
        let diffusers: String
        let ldm: String
        let isResnet: Bool
    }

    private static let resnetParts = [
        "norm1": "in_layers.0", "conv1": "in_layers.2", "time_emb_proj": "emb_layers.1",
        "norm2": "out_layers.0", "conv2": "out_layers.3", "conv_shortcut": "skip_connection",
    ]

    private let blocks: [Block]

    /// The block layout of `configuration`.
    public init(configuration: UNetConfiguration) {
        var blocks: [Block] = [
            Block(diffusers: "conv_in", ldm: "input_blocks.0.0", isResnet: false),
            Block(diffusers: "time_embedding.linear_1", ldm: "time_embed.0", isResnet: false),
            Block(diffusers: "time_embedding.linear_2", ldm: "time_embed.2", isResnet: false),
            // SDXL's addition embedding (`addition_embed_type` "text_time"); absent elsewhere.
            Block(diffusers: "add_embedding.linear_1", ldm: "label_emb.0.0", isResnet: false),
            Block(diffusers: "add_embedding.linear_2", ldm: "label_emb.0.2", isResnet: false),
            Block(diffusers: "conv_norm_out", ldm: "out.0", isResnet: false),
            Block(diffusers: "conv_out", ldm: "out.2", isResnet: false),
            Block(diffusers: "mid_block.resnets.0", ldm: "middle_block.0", isResnet: true),
            Block(diffusers: "mid_block.attentions.0", ldm: "middle_block.1", isResnet: false),
            Block(diffusers: "mid_block.resnets.1", ldm: "middle_block.2", isResnet: true),
        ]
        let blockCount = configuration.blockOutChannels.count
        var input = 1
        for (index, type) in configuration.downBlockTypes.enumerated() {
            let hasAttention = type == "CrossAttnDownBlock2D"
            for layer in 0..<configuration.layersPerBlock[index] {
                blocks.append(Block(diffusers: "down_blocks.\(index).resnets.\(layer)", ldm: "input_blocks.\(input).0", isResnet: true))
                if hasAttention {
                    blocks.append(Block(diffusers: "down_blocks.\(index).attentions.\(layer)", ldm: "input_blocks.\(input).1", isResnet: false))
                }
                input += 1
            }
            if index < blockCount - 1 {
                blocks.append(Block(diffusers: "down_blocks.\(index).downsamplers.0.conv", ldm: "input_blocks.\(input).0.op", isResnet: false))
                input += 1
            }
        }
        let reversedLayers = Array(configuration.layersPerBlock.reversed())
        var output = 0
        for (index, type) in configuration.upBlockTypes.enumerated() {
            let hasAttention = type == "CrossAttnUpBlock2D"
            let layerCount = reversedLayers[index] + 1
            for layer in 0..<layerCount {
                blocks.append(Block(diffusers: "up_blocks.\(index).resnets.\(layer)", ldm: "output_blocks.\(output).0", isResnet: true))
                if hasAttention {
                    blocks.append(Block(diffusers: "up_blocks.\(index).attentions.\(layer)", ldm: "output_blocks.\(output).1", isResnet: false))
                }
                if layer == layerCount - 1, index < blockCount - 1 {
                    blocks.append(Block(diffusers: "up_blocks.\(index).upsamplers.0.conv",
                                        ldm: "output_blocks.\(output).\(hasAttention ? 2 : 1).conv", isResnet: false))
                }
                output += 1
            }
        }
        self.blocks = blocks
    }

    /// The LDM path of the diffusers module path `path` (`down_blocks.0.resnets.0.conv1` ->
    /// `input_blocks.1.0.in_layers.2`), or `nil` for a path outside the UNet's block layout.
    public func ldmPath(of path: String) -> String? {
        for block in blocks {
            if path == block.diffusers { return block.ldm }
            guard path.hasPrefix(block.diffusers + ".") else { continue }
            let rest = String(path.dropFirst(block.diffusers.count + 1))
            if block.isResnet {
                let first = rest.split(separator: ".", maxSplits: 1).first.map(String.init) ?? rest
                guard let renamed = Self.resnetParts[first] else { return nil }
                return block.ldm + "." + renamed + rest.dropFirst(first.count)
            }
            return block.ldm + "." + rest
        }
        return nil
    }

    /// The inverse of ``ldmPath(of:)``: the diffusers path of an LDM path
    /// (`input_blocks.1.0.in_layers.2.weight` -> `down_blocks.0.resnets.0.conv1.weight`), or `nil`
    /// for a path outside the UNet's block layout (single-file checkpoints are converted with it).
    public func diffusersPath(ofLDMPath path: String) -> String? {
        for block in blocks {
            if path == block.ldm { return block.diffusers }
            guard path.hasPrefix(block.ldm + ".") else { continue }
            let rest = String(path.dropFirst(block.ldm.count + 1))
            guard block.isResnet else { return block.diffusers + "." + rest }
            for (diffusers, ldm) in Self.resnetParts where rest == ldm || rest.hasPrefix(ldm + ".") {
                return block.diffusers + "." + diffusers + rest.dropFirst(ldm.count)
            }
            return nil
        }
        return nil
    }
}
