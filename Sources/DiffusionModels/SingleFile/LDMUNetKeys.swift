/// The UNet's keys of a single-file checkpoint (`model.diffusion_model.` stripped) as diffusers
/// names them: the block layout of ``LDMUNetModuleNames`` (the same table kohya LoRAs resolve
/// with), driven by the configuration — block count, `layers_per_block`, which blocks have
/// attention, where the down- and upsamplers sit:
///
/// | LDM | diffusers |
/// |---|---|
/// | `input_blocks.0.0` | `conv_in` |
/// | `time_embed.0` / `time_embed.2` | `time_embedding.linear_1` / `linear_2` |
/// | `input_blocks.n.0` / `.n.1` | `down_blocks.i.resnets.j` / `attentions.j` |
/// | `input_blocks.n.0.op` | `down_blocks.i.downsamplers.0.conv` |
/// | `middle_block.0` / `.1` / `.2` | `mid_block.resnets.0` / `attentions.0` / `resnets.1` |
/// | `output_blocks.n.0` / `.n.1` | `up_blocks.i.resnets.j` / `attentions.j` |
/// | `output_blocks.n.1.conv` or `.n.2.conv` | `up_blocks.i.upsamplers.0.conv` |
/// | `out.0` / `out.2` | `conv_norm_out` / `conv_out` |
///
/// Inside resnets `in_layers.0`, `in_layers.2`, `emb_layers.1`, `out_layers.0`, `out_layers.3`,
/// `skip_connection` are `norm1`, `conv1`, `time_emb_proj`, `norm2`, `conv2`, `conv_shortcut`;
/// transformer internals keep their names. Port of diffusers 0.42
/// `single_file_utils.convert_ldm_unet_checkpoint` (SD1.x/SD2.x part).
struct LDMUNetKeys {
    private let names: LDMUNetModuleNames

    init(configuration: UNetConfiguration) {
        names = LDMUNetModuleNames(configuration: configuration)
    }

    /// The diffusers tensor for the LDM key `key` (prefix stripped) of shape `shape`, or nil when
    /// the key is outside the configuration's block layout.
    func convert(_ key: String, sourceKey: String, shape: [Int]) -> [String: ConvertedTensor]? {
        names.diffusersPath(ofLDMPath: key).map { [$0: ConvertedTensor(sourceKey, shape: shape)] }
    }
}
