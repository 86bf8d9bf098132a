#!/usr/bin/env python3
"""Generate the reference fixtures in Tests/Fixtures/ for the Swift re-implementation.

What it makes: nine tiny, randomly initialised (and then perturbed) networks -- two CLIP
text encoders, three UNet2DConditionModel variants, two AutoencoderKL (one stored as an
fp16 variant), one CLIP text encoder stored in bf16, and one AutoencoderTiny (TAESD) --
each saved with `save_pretrained(..., safe_serialization=True)` next to the inputs
(`inputs.safetensors`) and the float32 PyTorch outputs (`outputs.safetensors`) that the
Swift side must reproduce. It also writes Tests/Fixtures/README.md (including the output
std of every fixture) and the weight key listings Tests/Fixtures/keys-*.txt. At the end
every saved folder is re-loaded with `from_pretrained` and must reproduce the saved outputs
bit for bit (max abs diff 0); the script fails otherwise.

Pinned versions (asserted at start-up; see Tools/setup-reference-env.sh):
    torch 2.13.0 (+cpu), diffusers 0.42.1, transformers 5.24.0, safetensors 0.8.0, numpy 2.4.6

Run from the repository root (writes Tests/Fixtures/):
    .venv-reference/bin/python Tools/make_reference_fixtures.py

The output is deterministic: torch.manual_seed per model, fixed seeded inputs, float32,
one CPU thread. Running it twice gives byte-identical files.
"""

import os

import torch

# First: importing fixture_support asserts the pinned versions (one CPU thread, deterministic).
from fixture_support import (CLIP_ATTENTION, FIXTURES_ROOT, VERSIONS_LINE, FixtureFolder, clip_text_model,
                             diffusers_model, load_clip_text_model)
from diffusers import AutoencoderKL, AutoencoderTiny, UNet2DConditionModel
from safetensors import safe_open
from transformers import CLIPTextModel

OUT = FIXTURES_ROOT
FIXTURES = FixtureFolder(OUT, column_widths=(22, 18, 16), log_mean_and_absmax=True)
WEIGHTS = "diffusion_pytorch_model.safetensors"
CLIP_WEIGHTS = "model.safetensors"


# ----------------------------------------------------------------------------- helpers

def write_keys(path, weights_file):
    """Write the tensor names of `weights_file` with their shapes, one "key [shape]" per line."""
    with safe_open(weights_file, framework="pt") as f:
        lines = []
        for k in sorted(f.keys()):
            shape = f.get_slice(k).get_shape()
            lines.append("%s [%s]" % (k, ",".join(str(s) for s in shape)))
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


# ----------------------------------------------------------------------------- CLIP

CLIP_QUICK_GELU = dict(vocab_size=1000, hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                       num_attention_heads=4, max_position_embeddings=77, hidden_act="quick_gelu",
                       eos_token_id=2, bos_token_id=0, pad_token_id=1, projection_dim=32)
CLIP_GELU = dict(CLIP_QUICK_GELU, hidden_act="gelu", num_hidden_layers=3, num_attention_heads=2,
                 eos_token_id=999)
CLIP_W_SCALE = 1.0


def clip_run(model, inputs):
    with torch.no_grad():
        out = model(input_ids=inputs["input_ids"])
    return {"last_hidden_state": out.last_hidden_state, "pooler_output": out.pooler_output}


def make_clip(name, config_kwargs, seed, input_ids, dtype=None):
    """With `dtype` the weights are rounded to it and stored so; the reference is computed in
    float32 from the rounded weights."""
    model = clip_text_model(CLIPTextModel, config_kwargs, seed, CLIP_W_SCALE)
    return FIXTURES.save_network(name, model, {"input_ids": input_ids}, clip_run, CLIP_WEIGHTS, storage_dtype=dtype)


def clip_inputs():
    g = torch.Generator().manual_seed(1001)
    # clip-quick-gelu: legacy eos_token_id == 2 -> pooled at argmax(input_ids); max id 999
    # at position 9 in row 0 and 40 in row 1 (everything else in 3..998).
    ids_quick = torch.randint(3, 999, (2, 77), generator=g, dtype=torch.int64)
    ids_quick[0, 9] = 999
    ids_quick[1, 40] = 999
    # clip-gelu: eos_token_id == 999 -> pooled at the first position equal to 999.
    ids_gelu = torch.randint(3, 999, (3, 77), generator=g, dtype=torch.int64)
    ids_gelu[0, 5] = 999      # first 999 (pooled here) ...
    ids_gelu[0, 30] = 999     # ... and a second one that must be ignored
    ids_gelu[1, 20] = 999     # eos, then trailing pad ids (pad_token_id = 1)
    ids_gelu[1, 21:] = 1
    ids_gelu[2, 76] = 999     # eos at the very last position
    ids_gelu = ids_gelu.to(torch.int32)
    # text-encoder-bf16: legacy argmax pooling, max id 999 at position 12.
    ids_bf16 = torch.randint(3, 999, (1, 77), generator=g, dtype=torch.int64)
    ids_bf16[0, 12] = 999
    return ids_quick, ids_gelu, ids_bf16


# ----------------------------------------------------------------------------- UNet

UNET_SD1 = dict(sample_size=8, in_channels=4, out_channels=4, block_out_channels=(32, 64),
                layers_per_block=2,
                down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
                cross_attention_dim=32, attention_head_dim=8, norm_num_groups=8,
                use_linear_projection=False)
UNET_SD2 = dict(sample_size=8, in_channels=4, out_channels=4, block_out_channels=(32, 64, 64),
                layers_per_block=1,
                down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
                up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
                cross_attention_dim=48, attention_head_dim=(2, 4, 8), use_linear_projection=True,
                upcast_attention=True, norm_num_groups=16, transformer_layers_per_block=1)
UNET_SCALAR = dict(UNET_SD1, layers_per_block=1, norm_num_groups=16, attention_head_dim=4,
                   flip_sin_to_cos=True, freq_shift=0)
UNET_W_SCALE = 1.0


def unet_run(model, inputs):
    with torch.no_grad():
        out = model(inputs["sample"], inputs["timestep"],
                    encoder_hidden_states=inputs["encoder_hidden_states"]).sample
    return {"sample": out}


def make_unet(name, config_kwargs, seed, inputs):
    model = diffusers_model(UNet2DConditionModel, config_kwargs, seed, UNET_W_SCALE)
    return FIXTURES.save_network(name, model, inputs, unet_run, WEIGHTS)


def unet_inputs():
    g = torch.Generator().manual_seed(2002)
    sd1 = {
        "sample": torch.randn(2, 4, 16, 16, generator=g),
        "timestep": torch.tensor([999.0, 259.0], dtype=torch.float32),
        "encoder_hidden_states": torch.randn(2, 7, 32, generator=g),
    }
    sd2 = {
        "sample": torch.randn(3, 4, 16, 16, generator=g),
        "timestep": torch.tensor([999, 500, 1], dtype=torch.int64),
        "encoder_hidden_states": torch.randn(3, 5, 48, generator=g),
    }
    scalar = {
        "sample": torch.randn(2, 4, 8, 8, generator=g),
        "timestep": torch.tensor(421.0, dtype=torch.float32),
        "encoder_hidden_states": torch.randn(2, 3, 32, generator=g),
    }
    return sd1, sd2, scalar


# ----------------------------------------------------------------------------- VAE / TAESD

VAE = dict(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 3,
           up_block_types=("UpDecoderBlock2D",) * 3, block_out_channels=(16, 32, 32),
           layers_per_block=2, latent_channels=4, norm_num_groups=8, sample_size=32)
VAE_FP16 = dict(VAE, layers_per_block=1)
VAE_W_SCALE = 1.0

TAESD = dict(in_channels=3, out_channels=3, encoder_block_out_channels=(16, 16, 16, 16),
             decoder_block_out_channels=(16, 16, 16, 16), num_encoder_blocks=(1, 2, 1, 1),
             num_decoder_blocks=(2, 1, 1, 1), latent_channels=4, act_fn="relu",
             upsampling_scaling_factor=2)
TAESD_W_SCALE = 1.0


def vae_run(model, inputs):
    with torch.no_grad():
        mean = model.encode(inputs["images"]).latent_dist.mean
        sample = model.decode(inputs["latents"]).sample
    return {"latent_dist_mean": mean, "sample": sample}


def taesd_run(model, inputs):
    with torch.no_grad():
        enc = model.encode(inputs["images"]).latents
        sample = model.decode(inputs["latents"]).sample
    return {"encoded_latents": enc, "sample": sample}


def make_vae(name, config_kwargs, seed, inputs, fp16=False):
    """With `fp16` the weights are stored as the fp16 variant and the reference computed from
    exactly the fp16-rounded weights, upcast to float32."""
    model = diffusers_model(AutoencoderKL, config_kwargs, seed, VAE_W_SCALE)
    if fp16:
        return FIXTURES.save_network(name, model, inputs, vae_run, "diffusion_pytorch_model.fp16.safetensors",
                                     storage_dtype=torch.float16, variant="fp16")
    return FIXTURES.save_network(name, model, inputs, vae_run, WEIGHTS)


def make_taesd(name, seed, inputs):
    model = diffusers_model(AutoencoderTiny, TAESD, seed, TAESD_W_SCALE)
    return FIXTURES.save_network(name, model, inputs, taesd_run, WEIGHTS)


def vae_inputs():
    g = torch.Generator().manual_seed(3003)
    vae = {"images": torch.rand(2, 3, 32, 32, generator=g) * 2 - 1,
           "latents": torch.randn(2, 4, 8, 8, generator=g)}
    vae16 = {"images": torch.rand(2, 3, 32, 32, generator=g) * 2 - 1,
             "latents": torch.randn(2, 4, 8, 8, generator=g)}
    taesd = {"images": torch.rand(2, 3, 32, 32, generator=g) * 2 - 1,
             "latents": torch.randn(2, 4, 4, 4, generator=g) * 2}
    return vae, vae16, taesd


# ----------------------------------------------------------------------------- re-load check

def load_clip(folder):
    return load_clip_text_model(CLIPTextModel, folder)


def load_vae_fp16(folder):
    return AutoencoderKL.from_pretrained(folder, variant="fp16", torch_dtype=torch.float32)


# name -> (load, run), in the order the folders are checked.
RELOAD = {
    "clip-quick-gelu": (load_clip, clip_run),
    "clip-gelu": (load_clip, clip_run),
    "text-encoder-bf16": (load_clip, clip_run),
    "unet-sd1": (UNet2DConditionModel.from_pretrained, unet_run),
    "unet-sd2": (UNet2DConditionModel.from_pretrained, unet_run),
    "unet-scalar-timestep": (UNet2DConditionModel.from_pretrained, unet_run),
    "vae": (AutoencoderKL.from_pretrained, vae_run),
    "vae-fp16": (load_vae_fp16, vae_run),
    "taesd": (AutoencoderTiny.from_pretrained, taesd_run),
}


# ----------------------------------------------------------------------------- README

DESCRIPTIONS = {
    "clip-quick-gelu": (
        "transformers `CLIPTextModel`, hidden 32, intermediate 37, 2 layers, 4 heads, "
        "`hidden_act=quick_gelu`, vocab 1000, 77 positions, **legacy `eos_token_id=2`** -> "
        "`pooler_output` is taken at `argmax(input_ids)` per row (id 999 at position 9 in row 0, "
        "40 in row 1). Weights: `model.safetensors` (F32).",
        "`out = model(input_ids=input_ids)`; `last_hidden_state` (after final layer norm) and "
        "`pooler_output`."),
    "clip-gelu": (
        "Same family with `hidden_act=gelu` (exact erf GELU), 3 layers, 2 heads, "
        "**`eos_token_id=999`** (non-legacy) -> pooled at the *first* position where "
        "`input_ids == 999`. `input_ids` are **int32**. Row 0 has 999 at positions 5 and 30 "
        "(pool at 5); row 1 has 999 at 20 followed by trailing pad ids (1); row 2 has 999 only "
        "at position 76. Weights: `model.safetensors` (F32).",
        "`out = model(input_ids=input_ids)`; `last_hidden_state`, `pooler_output`."),
    "unet-sd1": (
        "diffusers `UNet2DConditionModel`, SD1.x style: `block_out_channels=(32,64)`, "
        "`layers_per_block=2`, down `(CrossAttnDownBlock2D, DownBlock2D)`, up "
        "`(UpBlock2D, CrossAttnUpBlock2D)`, `cross_attention_dim=32`, `attention_head_dim=8` "
        "(diffusers treats this as the *number of heads*: 8 heads per block, head dim 4 / 8), "
        "`norm_num_groups=8`, `use_linear_projection=False` (1x1 conv `proj_in`/`proj_out`). "
        "`timestep` is float32 with a different value per sample.",
        "`model(sample, timestep, encoder_hidden_states=encoder_hidden_states).sample`."),
    "unet-sd2": (
        "SD2.x style: `block_out_channels=(32,64,64)`, `layers_per_block=1`, down "
        "`(CrossAttnDownBlock2D, CrossAttnDownBlock2D, DownBlock2D)`, up "
        "`(UpBlock2D, CrossAttnUpBlock2D, CrossAttnUpBlock2D)`, `cross_attention_dim=48`, "
        "`attention_head_dim=(2,4,8)` = per-block head counts (head dims 16, 16, 8; the mid block "
        "uses the last entry, 8 heads; up blocks use the reversed list), `use_linear_projection=True` "
        "(Linear `proj_in`/`proj_out`), `upcast_attention=True` (no effect in float32), "
        "`norm_num_groups=16`, `transformer_layers_per_block=1`. `timestep` is **int64**.",
        "`model(sample, timestep, encoder_hidden_states=encoder_hidden_states).sample`."),
    "unet-scalar-timestep": (
        "The SD1 config with `layers_per_block=1`, `norm_num_groups=16`, `attention_head_dim=4` "
        "(4 heads), `flip_sin_to_cos=True`, `freq_shift=0` (the defaults, stated explicitly). "
        "`timestep` is a **0-dim** float32 tensor (421.0), broadcast over the batch.",
        "`model(sample, timestep, encoder_hidden_states=encoder_hidden_states).sample`."),
    "vae": (
        "diffusers `AutoencoderKL`, `block_out_channels=(16,32,32)`, 3 `DownEncoderBlock2D` / "
        "3 `UpDecoderBlock2D`, `layers_per_block=2`, `latent_channels=4`, `norm_num_groups=8`, "
        "`sample_size=32` (defaults: `act_fn=silu`, `use_quant_conv=True`, "
        "`use_post_quant_conv=True`, `mid_block_add_attention=True`). 32x32 image <-> 8x8 latent. "
        "No scaling factor and no clamp anywhere.",
        "`latent_dist_mean = model.encode(images).latent_dist.mean` (unscaled, after `quant_conv`); "
        "`sample = model.decode(latents).sample` (unscaled latents in, no clamp)."),
    "vae-fp16": (
        "Same architecture with `layers_per_block=1`, another seed. Weights stored as the **fp16 "
        "variant**: `diffusion_pytorch_model.fp16.safetensors` (all tensors F16). The reference was "
        "computed in float32 by a model whose weights are exactly the fp16 values upcast to float32 "
        "(`from_pretrained(folder, variant=\"fp16\", torch_dtype=torch.float32)` reproduces it).",
        "as `vae`: `latent_dist_mean = model.encode(images).latent_dist.mean`, "
        "`sample = model.decode(latents).sample`."),
    "text-encoder-bf16": (
        "The `clip-quick-gelu` config (legacy argmax pooling) with another seed; weights stored in "
        "`model.safetensors` as **BF16** (config.json says `\"dtype\": \"bfloat16\"`). Reference "
        "computed in float32 from the bf16-rounded weights upcast to float32. 999 at position 12.",
        "`out = model(input_ids=input_ids)`; `last_hidden_state`, `pooler_output`."),
    "taesd": (
        "diffusers `AutoencoderTiny`, `encoder_block_out_channels=decoder_block_out_channels="
        "(16,16,16,16)`, `num_encoder_blocks=(1,2,1,1)`, `num_decoder_blocks=(2,1,1,1)`, "
        "`latent_channels=4`, `act_fn=relu`, `upsampling_scaling_factor=2` (defaults: "
        "`upsample_fn=nearest`, `scaling_factor=1.0`, `latent_magnitude=3`, `latent_shift=0.5`). "
        "32x32 image <-> 4x4 latent. Note the encoder maps images from [-1,1] to [0,1] internally "
        "(`x.add(1).div(2)`), and the decoder applies `tanh(x/3)*3` first and `x*2-1` last.",
        "**`encoded_latents`** `= model.encode(images).latents` (renamed because the *input* "
        "`latents` has the same name); `sample = model.decode(latents).sample`."),
}

ORDER = ["clip-quick-gelu", "clip-gelu", "unet-sd1", "unet-sd2", "unet-scalar-timestep",
         "vae", "vae-fp16", "text-encoder-bf16", "taesd"]


def write_readme():
    lines = [
        "# Reference fixtures",
        "",
        "Generated by `Tools/make_reference_fixtures.py` -- do not edit by hand (this README is "
        "written by the script too). Regenerate from the repository root with:",
        "",
        "    Tools/setup-reference-env.sh      # once: creates .venv-reference/",
        "    .venv-reference/bin/python Tools/make_reference_fixtures.py",
        "",
        "Pinned versions: " + VERSIONS_LINE + ". The script asserts them at start-up, is "
        "deterministic (byte-identical output on rerun) and, before finishing, re-loads every "
        "folder with `from_pretrained` and checks it reproduces `outputs.safetensors` exactly.",
        "",
        "Each folder holds `config.json`, the weights written by `save_pretrained(..., "
        "safe_serialization=True)`, `inputs.safetensors` and `outputs.safetensors`. All models are "
        "tiny, randomly initialised and then perturbed (every parameter moved off its init value: "
        "matrices/kernels/embeddings `+= s * randn / sqrt(fan_in)`, vectors (biases, norm weights) "
        "`+= 0.1 * randn`; s = %g for CLIP, %g for UNet, %g for VAE, %g for TAESD), run in eval "
        "mode under `torch.no_grad()` in float32 on CPU. CLIP ran with "
        "`attn_implementation=\"%s\"`, diffusers models with their default attention processor "
        "(SDPA)." % (CLIP_W_SCALE, UNET_W_SCALE, VAE_W_SCALE, TAESD_W_SCALE, CLIP_ATTENTION),
        "",
        "`keys-clip.txt` (clip-quick-gelu), `keys-unet-sd1.txt`, `keys-vae.txt` and "
        "`keys-taesd.txt` list the tensor names in the saved weight files, one `key [shape]` per "
        "line.",
        "",
        "Notes for the Swift side:",
        "",
        "- Tolerance: the same UNet run on one sample instead of the batch differs from the "
        "batched reference by ~4e-6 (max abs), so float32 reimplementations should expect "
        "differences of that order, not bit equality.",
        "- CLIP weight files contain no `embeddings.position_ids` (non-persistent buffer) and no "
        "`text_projection` (CLIPTextModel has none); `projection_dim` is unused.",
        "- `taesd/config.json` carries an extra `block_out_channels` (diffusers registers it "
        "itself; `from_pretrained` warns that it is ignored). TAESD weights are `nn.Sequential` "
        "indices (`encoder.layers.N`, `decoder.layers.N`); parameter-free layers (ReLU, Upsample) "
        "still take an index, the stride-2 encoder convs and the decoder convs after each "
        "Upsample have no bias, and `AutoencoderTinyBlock` keys are `conv.0/2/4` "
        "(conv-ReLU-conv-ReLU-conv, identity skip, then ReLU).",
        "- In `UNet2DConditionModel`, `attention_head_dim` is the number of heads when "
        "`num_attention_heads` is null (as here).",
        "",
    ]
    for name in ORDER:
        what, how = DESCRIPTIONS[name]
        lines += FIXTURES.readme_section(name, what, list_weights_files=True, produced_by=how)
    # The other fixture folders have their own generators; point to the one whose inputs are
    # the fixtures above.
    lines += ["## single-file", "",
              "Not written by this script: `Tools/make_single_file_fixture.py` writes `single-file/` "
              "(LDM-layout single-file checkpoints `sd1.safetensors` / `sd2.safetensors`, their "
              "configuration folders `sd1-config/` and `sd2-twin/`, and diffusers reference outputs) "
              "and its own `single-file/README.md`, which says how diffusers' single-file converters "
              "and `from_single_file` verified each file. `sd1.safetensors` is the `unet-sd1`, "
              "`clip-quick-gelu` and `vae` fixtures above in F16.", "",
              "## sdxl", "",
              "Not written by this script: `Tools/make_sdxl_fixtures.py` writes `sdxl/` (tiny SDXL-shaped "
              "networks: `unet-sdxl` with the `text_time` addition embedding, `text-encoder-1` and "
              "`text-encoder-2` (`CLIPTextModelWithProjection`) with their penultimate hidden states, "
              "`vae-sdxl` with `scaling_factor` 0.13025 and `force_upcast`) and its own `sdxl/README.md`.", "",
              "## sd3-single-file", "",
              "Not written by this script: `Tools/make_sd3_single_file_fixtures.py` writes `sd3-single-file/` from the "
              "`sd3/` networks: `sd3.safetensors` (SD3 MMDiT layout with CLIP-L, CLIP-G, two T5 tensors and the VAE) "
              "with `sd3-config/` (configs only) and `sd3-twin/` (diffusers' `from_single_file` of it, saved), "
              "`sd35-medium.safetensors` (dual attention, qk norm, VAE, no text encoders) with `sd35-medium-config/` "
              "(configs and text-encoder weights), and `reference.safetensors` (outputs of the networks diffusers "
              "loaded from the files). See docs/SINGLE_FILE.md, \"SD3 / SD3.5\".", "",
              "## sd3", "",
              "Not written by this script: `Tools/make_sd3_fixtures.py` writes `sd3/` (tiny `SD3Transformer2DModel`s "
              "shaped like SD3, SD3.5 Medium (dual attention, qk RMS norm) and SD3.5 Large (qk RMS norm), an SD3 VAE "
              "with 16 latent channels, `scaling_factor` 1.5305 and `shift_factor` 0.0609, `encode_prompt` without T5 "
              "on tiny encoders, and the flow-matching and Flash schedulers) and its own `sd3/README.md`.", ""]
    FIXTURES.write_readme(lines)


# ----------------------------------------------------------------------------- main

def main():
    FIXTURES.start()
    ids_quick, ids_gelu, ids_bf16 = clip_inputs()
    sd1_in, sd2_in, scalar_in = unet_inputs()
    vae_in, vae16_in, taesd_in = vae_inputs()

    make_clip("clip-quick-gelu", CLIP_QUICK_GELU, 11, ids_quick)
    make_clip("clip-gelu", CLIP_GELU, 12, ids_gelu)
    make_unet("unet-sd1", UNET_SD1, 21, sd1_in)
    make_unet("unet-sd2", UNET_SD2, 22, sd2_in)
    make_unet("unet-scalar-timestep", UNET_SCALAR, 23, scalar_in)
    make_vae("vae", VAE, 31, vae_in)
    make_vae("vae-fp16", VAE_FP16, 32, vae16_in, fp16=True)
    make_clip("text-encoder-bf16", CLIP_QUICK_GELU, 13, ids_bf16, dtype=torch.bfloat16)
    make_taesd("taesd", 41, taesd_in)

    write_keys(os.path.join(OUT, "keys-clip.txt"), os.path.join(OUT, "clip-quick-gelu", CLIP_WEIGHTS))
    write_keys(os.path.join(OUT, "keys-unet-sd1.txt"), os.path.join(OUT, "unet-sd1", WEIGHTS))
    write_keys(os.path.join(OUT, "keys-vae.txt"), os.path.join(OUT, "vae", WEIGHTS))
    write_keys(os.path.join(OUT, "keys-taesd.txt"), os.path.join(OUT, "taesd", WEIGHTS))
    write_readme()

    FIXTURES.reload_all(RELOAD)


if __name__ == "__main__":
    main()
