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
import shutil
import sys

import numpy
import safetensors
import torch
import diffusers
import transformers
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from reference_pins import check as check_pins  # noqa: E402


def check_versions():
    check_pins("torch", "diffusers", "transformers", "safetensors", "numpy")


check_versions()

from diffusers import AutoencoderKL, AutoencoderTiny, UNet2DConditionModel  # noqa: E402
from transformers import CLIPTextConfig, CLIPTextModel  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures")
# CLIP attention implementation used for generation and for the re-load check.
CLIP_ATTN = "eager"

VERSIONS_LINE = "torch %s, diffusers %s, transformers %s, safetensors %s, numpy %s" % (
    torch.__version__, diffusers.__version__, transformers.__version__,
    safetensors.__version__, numpy.__version__)


# ----------------------------------------------------------------------------- helpers

def perturb(model, w_scale, v_scale=0.1):
    """Move every parameter away from its init value (uses the global torch RNG).

    Matrices / conv kernels / embeddings (ndim >= 2): p += w_scale * randn / sqrt(fan_in),
    fan_in = numel / shape[0]. Vectors (biases, norm weights): p += v_scale * randn, so norm
    weights stay around 1 (init 1) and biases around 0.
    """
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim >= 2:
                fan_in = p[0].numel()
                p.data = p.data + (w_scale / fan_in ** 0.5) * torch.randn_like(p)
            else:
                p.data = p.data + v_scale * torch.randn_like(p)


def fresh_dir(name):
    folder = os.path.join(OUT, name)
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    return folder


def keep_only(folder, allowed):
    for f in sorted(os.listdir(folder)):
        if f not in allowed:
            os.remove(os.path.join(folder, f))
    missing = [f for f in allowed if not os.path.exists(os.path.join(folder, f))]
    assert not missing, "%s: save_pretrained did not write %r" % (folder, missing)


def save_tensors(path, tensors):
    save_file({k: v.contiguous() for k, v in tensors.items()}, path)


def write_keys(path, weights_file):
    with safe_open(weights_file, framework="pt") as f:
        lines = []
        for k in sorted(f.keys()):
            shape = f.get_slice(k).get_shape()
            lines.append("%s [%s]" % (k, ",".join(str(s) for s in shape)))
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def stats(t):
    t = t.double()
    return {"std": t.std().item(), "mean": t.mean().item(), "absmax": t.abs().max().item()}


def check_std(name, key, t):
    s = stats(t)
    print("  %-22s %-18s shape=%-16s std=%.4f mean=%+.4f absmax=%.4f" % (
        name, key, list(t.shape), s["std"], s["mean"], s["absmax"]))
    assert 0.1 <= s["std"] <= 10.0, "%s/%s: output std %.4f outside 0.1..10" % (name, key, s["std"])
    assert torch.isfinite(t).all(), "%s/%s: non-finite output" % (name, key)
    return s


RESULTS = {}  # name -> {output key: stats}


def record(name, outputs):
    RESULTS[name] = {k: check_std(name, k, v) for k, v in outputs.items()}


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
    torch.manual_seed(seed)
    model = CLIPTextModel(CLIPTextConfig(**config_kwargs, attn_implementation=CLIP_ATTN))
    perturb(model, CLIP_W_SCALE)
    model.eval()
    if dtype is not None:
        # Round to the storage dtype, then compute the reference in float32 from the rounded weights.
        model = model.to(dtype)
    folder = fresh_dir(name)
    model.save_pretrained(folder, safe_serialization=True)
    keep_only(folder, ["config.json", "model.safetensors"])
    model = model.to(torch.float32)
    outputs = clip_run(model, {"input_ids": input_ids})
    save_tensors(os.path.join(folder, "inputs.safetensors"), {"input_ids": input_ids})
    save_tensors(os.path.join(folder, "outputs.safetensors"), outputs)
    record(name, outputs)
    return folder


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
    torch.manual_seed(seed)
    model = UNet2DConditionModel(**config_kwargs)
    perturb(model, UNET_W_SCALE)
    model.eval()
    folder = fresh_dir(name)
    model.save_pretrained(folder, safe_serialization=True)
    keep_only(folder, ["config.json", "diffusion_pytorch_model.safetensors"])
    outputs = unet_run(model, inputs)
    save_tensors(os.path.join(folder, "inputs.safetensors"), inputs)
    save_tensors(os.path.join(folder, "outputs.safetensors"), outputs)
    record(name, outputs)
    return folder


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
    torch.manual_seed(seed)
    model = AutoencoderKL(**config_kwargs)
    perturb(model, VAE_W_SCALE)
    model.eval()
    folder = fresh_dir(name)
    if fp16:
        model = model.half()
        model.save_pretrained(folder, safe_serialization=True, variant="fp16")
        keep_only(folder, ["config.json", "diffusion_pytorch_model.fp16.safetensors"])
        model = model.float()  # exactly the fp16-rounded weights, upcast to float32
    else:
        model.save_pretrained(folder, safe_serialization=True)
        keep_only(folder, ["config.json", "diffusion_pytorch_model.safetensors"])
    outputs = vae_run(model, inputs)
    save_tensors(os.path.join(folder, "inputs.safetensors"), inputs)
    save_tensors(os.path.join(folder, "outputs.safetensors"), outputs)
    record(name, outputs)
    return folder


def make_taesd(name, seed, inputs):
    torch.manual_seed(seed)
    model = AutoencoderTiny(**TAESD)
    perturb(model, TAESD_W_SCALE)
    model.eval()
    folder = fresh_dir(name)
    model.save_pretrained(folder, safe_serialization=True)
    keep_only(folder, ["config.json", "diffusion_pytorch_model.safetensors"])
    outputs = taesd_run(model, inputs)
    save_tensors(os.path.join(folder, "inputs.safetensors"), inputs)
    save_tensors(os.path.join(folder, "outputs.safetensors"), outputs)
    record(name, outputs)
    return folder


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

def reload_and_check(name, kind, run):
    folder = os.path.join(OUT, name)
    if kind == "clip":
        model = CLIPTextModel.from_pretrained(folder, dtype=torch.float32,
                                              attn_implementation=CLIP_ATTN)
    elif kind == "unet":
        model = UNet2DConditionModel.from_pretrained(folder)
    elif kind == "vae":
        model = AutoencoderKL.from_pretrained(folder)
    elif kind == "vae-fp16":
        model = AutoencoderKL.from_pretrained(folder, variant="fp16", torch_dtype=torch.float32)
    elif kind == "taesd":
        model = AutoencoderTiny.from_pretrained(folder)
    else:
        raise ValueError(kind)
    model.eval()
    for n, p in model.named_parameters():
        assert p.dtype == torch.float32, "%s: %s reloaded as %s" % (name, n, p.dtype)
    inputs = load_file(os.path.join(folder, "inputs.safetensors"))
    expected = load_file(os.path.join(folder, "outputs.safetensors"))
    got = run(model, inputs)
    assert sorted(got) == sorted(expected), (name, sorted(got), sorted(expected))
    worst = 0.0
    for k in expected:
        assert got[k].shape == expected[k].shape, (name, k, got[k].shape, expected[k].shape)
        worst = max(worst, (got[k] - expected[k]).abs().max().item())
    print("  reload %-22s max abs diff %g" % (name, worst))
    assert worst == 0.0, "%s: re-loaded model does not reproduce outputs (max abs diff %g)" % (name, worst)


# ----------------------------------------------------------------------------- README

def shape_str(t):
    return "[" + ",".join(str(s) for s in t.shape) + "]"


def dtype_str(t):
    return str(t.dtype).replace("torch.", "")


def tensor_lines(folder, fname):
    tensors = load_file(os.path.join(OUT, folder, fname))
    return ["  - `%s` %s %s" % (k, dtype_str(v), shape_str(v)) for k, v in sorted(tensors.items())]


def std_line(name):
    return "- Output std: " + ", ".join(
        "`%s` %.4f" % (k, s["std"]) for k, s in RESULTS[name].items())


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
        "(SDPA)." % (CLIP_W_SCALE, UNET_W_SCALE, VAE_W_SCALE, TAESD_W_SCALE, CLIP_ATTN),
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
        weights = sorted(f for f in os.listdir(os.path.join(OUT, name)) if "safetensors" in f
                         and not f.startswith(("inputs", "outputs")))
        lines += ["## %s" % name, "", what, "",
                  "- Weights file: " + ", ".join("`%s`" % w for w in weights),
                  "- Inputs (`inputs.safetensors`):"]
        lines += tensor_lines(name, "inputs.safetensors")
        lines += ["- Outputs (`outputs.safetensors`):"]
        lines += tensor_lines(name, "outputs.safetensors")
        lines += ["- Produced by: " + how, std_line(name), ""]
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
              "## sd3", "",
              "Not written by this script: `Tools/make_sd3_fixtures.py` writes `sd3/` (tiny `SD3Transformer2DModel`s "
              "shaped like SD3, SD3.5 Medium (dual attention, qk RMS norm) and SD3.5 Large (qk RMS norm), an SD3 VAE "
              "with 16 latent channels, `scaling_factor` 1.5305 and `shift_factor` 0.0609, `encode_prompt` without T5 "
              "on tiny encoders, and the flow-matching and Flash schedulers) and its own `sd3/README.md`.", ""]
    with open(os.path.join(OUT, "README.md"), "w") as fh:
        fh.write("\n".join(lines))


# ----------------------------------------------------------------------------- main

def main():
    os.makedirs(OUT, exist_ok=True)
    print("versions:", VERSIONS_LINE)
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

    write_keys(os.path.join(OUT, "keys-clip.txt"), os.path.join(OUT, "clip-quick-gelu", "model.safetensors"))
    write_keys(os.path.join(OUT, "keys-unet-sd1.txt"),
               os.path.join(OUT, "unet-sd1", "diffusion_pytorch_model.safetensors"))
    write_keys(os.path.join(OUT, "keys-vae.txt"), os.path.join(OUT, "vae", "diffusion_pytorch_model.safetensors"))
    write_keys(os.path.join(OUT, "keys-taesd.txt"), os.path.join(OUT, "taesd", "diffusion_pytorch_model.safetensors"))
    write_readme()

    print("re-loading saved folders:")
    for name in ["clip-quick-gelu", "clip-gelu", "text-encoder-bf16"]:
        reload_and_check(name, "clip", clip_run)
    for name in ["unet-sd1", "unet-sd2", "unet-scalar-timestep"]:
        reload_and_check(name, "unet", unet_run)
    reload_and_check("vae", "vae", vae_run)
    reload_and_check("vae-fp16", "vae-fp16", vae_run)
    reload_and_check("taesd", "taesd", taesd_run)
    print("done: fixtures written to", OUT)


if __name__ == "__main__":
    main()
