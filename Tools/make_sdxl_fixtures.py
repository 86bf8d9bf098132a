#!/usr/bin/env python3
"""Generate the SDXL network fixtures in Tests/Fixtures/sdxl/ for the Swift re-implementation.

What it makes: four tiny, randomly initialised (and then perturbed) networks shaped like the
parts of Stable Diffusion XL, each saved with `save_pretrained(..., safe_serialization=True)`
next to its inputs (`inputs.safetensors`) and the float32 PyTorch outputs
(`outputs.safetensors`) that the Swift side must reproduce:

- unet-sdxl/: diffusers `UNet2DConditionModel` with SDXL's structure: first down block
  `DownBlock2D`, `transformer_layers_per_block` and `attention_head_dim` lists,
  `use_linear_projection`, and `addition_embed_type="text_time"` (inputs `text_embeds`,
  `time_ids` through `added_cond_kwargs`), per-sample timesteps.
- text-encoder-1/: transformers `CLIPTextModel` (SDXL's `text_encoder/`, quick-GELU), with the
  penultimate hidden state (`hidden_states[-2]`) SDXL conditions on.
- text-encoder-2/: transformers `CLIPTextModelWithProjection` (SDXL's `text_encoder_2/`,
  OpenCLIP bigG: GELU, `text_projection`), outputs incl. `text_embeds` and the penultimate state.
- vae-sdxl/: diffusers `AutoencoderKL` with SDXL's `scaling_factor=0.13025` and
  `force_upcast=True` in its config (the module itself ignores both).

It also writes Tests/Fixtures/sdxl/README.md. At the end every saved folder is re-loaded with
`from_pretrained` and must reproduce the saved outputs bit for bit; the script fails otherwise.

Pinned versions (asserted at start-up; see Tools/setup-reference-env.sh):
    torch 2.13.0 (+cpu), diffusers 0.42.1, transformers 5.24.0, safetensors 0.8.0, numpy 2.4.6

Run from the repository root (writes Tests/Fixtures/sdxl/):
    .venv-reference/bin/python Tools/make_sdxl_fixtures.py

The output is deterministic: torch.manual_seed per model, fixed seeded inputs, float32,
one CPU thread. Running it twice gives byte-identical files.
"""

import os
import shutil

import numpy
import safetensors
import torch
import diffusers
import transformers
from safetensors.torch import load_file, save_file

from reference_pins import check as check_pins

check_pins("torch", "diffusers", "transformers", "safetensors", "numpy")

from diffusers import AutoencoderKL, UNet2DConditionModel  # noqa: E402
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "sdxl")
CLIP_ATTN = "eager"
W_SCALE = 1.0
VERSIONS_LINE = "torch %s, diffusers %s, transformers %s, safetensors %s, numpy %s" % (
    torch.__version__, diffusers.__version__, transformers.__version__,
    safetensors.__version__, numpy.__version__)

# ----------------------------------------------------------------------------- configurations

# SDXL's text_encoder/ (OpenAI CLIP ViT-L) and text_encoder_2/ (OpenCLIP bigG) configs use
# bos 0, legacy eos 2 (pooling at argmax(input_ids)) and pad 1; here scaled down.
TEXT_ENCODER_1 = dict(vocab_size=512, hidden_size=32, intermediate_size=37, num_hidden_layers=3,
                      num_attention_heads=4, max_position_embeddings=77, hidden_act="quick_gelu",
                      bos_token_id=0, eos_token_id=2, pad_token_id=1, projection_dim=32)
# The end-of-text token of the fixtures' input ids: the largest id, as in CLIP's vocabulary.
EOS = TEXT_ENCODER_1["vocab_size"] - 1
TEXT_ENCODER_2 = dict(TEXT_ENCODER_1, hidden_act="gelu", num_attention_heads=2, intermediate_size=41,
                      projection_dim=32)
# SDXL base: block_out_channels (320, 640, 1280), transformer_layers_per_block [1, 2, 10],
# attention_head_dim [5, 10, 20], cross_attention_dim 2048, addition_time_embed_dim 256,
# projection_class_embeddings_input_dim 2816 = 1280 + 6 * 256; here scaled down.
TIME_EMBED_DIM = 8
TEXT_EMBED_DIM = 32
UNET_SDXL = dict(sample_size=16, in_channels=4, out_channels=4, block_out_channels=(8, 16, 24),
                 layers_per_block=1, norm_num_groups=4,
                 down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
                 up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
                 transformer_layers_per_block=[1, 1, 2], attention_head_dim=[2, 2, 4],
                 use_linear_projection=True, cross_attention_dim=32, upcast_attention=None,
                 addition_embed_type="text_time", addition_embed_type_num_heads=64,
                 addition_time_embed_dim=TIME_EMBED_DIM,
                 projection_class_embeddings_input_dim=TIME_EMBED_DIM * 6 + TEXT_EMBED_DIM)
VAE_SDXL = dict(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 2,
                up_block_types=("UpDecoderBlock2D",) * 2, block_out_channels=(8, 16),
                layers_per_block=1, latent_channels=4, norm_num_groups=4, sample_size=16,
                scaling_factor=0.13025, force_upcast=True)

# ----------------------------------------------------------------------------- helpers


def perturb(model):
    """Move every parameter off its init value (global torch RNG): matrices, kernels and
    embeddings += W_SCALE * randn / sqrt(fan_in); vectors += 0.1 * randn."""
    with torch.no_grad():
        for _, p in model.named_parameters():
            if p.ndim >= 2:
                p.data = p.data + (W_SCALE / p[0].numel() ** 0.5) * torch.randn_like(p)
            else:
                p.data = p.data + 0.1 * torch.randn_like(p)


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


RESULTS = {}


def record(name, outputs):
    RESULTS[name] = {}
    for key, t in outputs.items():
        std = t.double().std().item()
        print("  %-16s %-26s shape=%-14s std=%.4f" % (name, key, list(t.shape), std))
        assert 0.1 <= std <= 10.0, "%s/%s: output std %.4f outside 0.1..10" % (name, key, std)
        assert torch.isfinite(t).all(), "%s/%s: non-finite output" % (name, key)
        RESULTS[name][key] = std


def save_fixture(name, model, weights, inputs, run):
    folder = fresh_dir(name)
    model.save_pretrained(folder, safe_serialization=True)
    keep_only(folder, ["config.json", weights])
    outputs = run(model, inputs)
    save_tensors(os.path.join(folder, "inputs.safetensors"), inputs)
    save_tensors(os.path.join(folder, "outputs.safetensors"), outputs)
    record(name, outputs)

# ----------------------------------------------------------------------------- runs


def text_encoder_run(model, inputs):
    """last_hidden_state, penultimate_hidden_state (= hidden_states[-2]), pooler_output and,
    with a projection, text_embeds."""
    with torch.no_grad():
        out = model(input_ids=inputs["input_ids"], output_hidden_states=True)
        outputs = {"last_hidden_state": out.last_hidden_state,
                   "penultimate_hidden_state": out.hidden_states[-2]}
        if isinstance(model, CLIPTextModelWithProjection):
            outputs["text_embeds"] = out.text_embeds
            outputs["pooler_output"] = model.text_model(input_ids=inputs["input_ids"]).pooler_output
        else:
            outputs["pooler_output"] = out.pooler_output
    return outputs


def unet_run(model, inputs):
    with torch.no_grad():
        out = model(inputs["sample"], inputs["timestep"], encoder_hidden_states=inputs["encoder_hidden_states"],
                    added_cond_kwargs={"text_embeds": inputs["text_embeds"], "time_ids": inputs["time_ids"]}).sample
    return {"sample": out}


def vae_run(model, inputs):
    with torch.no_grad():
        return {"sample": model.decode(inputs["latents"]).sample,
                "latent_dist_mean": model.encode(inputs["images"]).latent_dist.mean}

# ----------------------------------------------------------------------------- inputs


def make_inputs():
    g = torch.Generator().manual_seed(5005)
    # text_encoder/: eos (EOS, the largest id) at position 9, then padded with the eos id as
    # SDXL's first tokenizer does (argmax takes the first); row 1: eos at 40.
    ids1 = torch.randint(3, EOS, (2, 77), generator=g, dtype=torch.int64)
    ids1[0, 9:] = EOS
    ids1[1, 40:] = EOS
    # text_encoder_2/: eos at 12 / 76, padded with id 0 as SDXL's second tokenizer ("!").
    ids2 = torch.randint(3, EOS, (2, 77), generator=g, dtype=torch.int64)
    ids2[0, 12] = EOS
    ids2[0, 13:] = 0
    ids2[1, 76] = EOS
    unet = {
        "sample": torch.randn(2, 4, 16, 16, generator=g),
        "timestep": torch.tensor([999.0, 421.0], dtype=torch.float32),
        "encoder_hidden_states": torch.randn(2, 7, 32, generator=g),
        "text_embeds": torch.randn(2, TEXT_EMBED_DIM, generator=g),
        # (original height, width, crop top, left, target height, width), as SDXL pipelines pass.
        "time_ids": torch.tensor([[64.0, 64.0, 0.0, 8.0, 64.0, 64.0], [48.0, 80.0, 4.0, 0.0, 64.0, 64.0]]),
    }
    vae = {"latents": torch.randn(2, 4, 8, 8, generator=g),
           "images": torch.rand(1, 3, 16, 16, generator=g) * 2 - 1}
    return {"input_ids": ids1}, {"input_ids": ids2}, unet, vae

# ----------------------------------------------------------------------------- models


def clip_model(cls, config, seed):
    torch.manual_seed(seed)
    model = cls(CLIPTextConfig(**config, attn_implementation=CLIP_ATTN))
    perturb(model)
    return model.eval()


def diffusers_model(cls, config, seed):
    torch.manual_seed(seed)
    model = cls(**config)
    perturb(model)
    return model.eval()


RELOAD = {
    "text-encoder-1": (lambda f: CLIPTextModel.from_pretrained(f, dtype=torch.float32, attn_implementation=CLIP_ATTN),
                       text_encoder_run),
    "text-encoder-2": (lambda f: CLIPTextModelWithProjection.from_pretrained(f, dtype=torch.float32,
                                                                             attn_implementation=CLIP_ATTN),
                       text_encoder_run),
    "unet-sdxl": (UNet2DConditionModel.from_pretrained, unet_run),
    "vae-sdxl": (AutoencoderKL.from_pretrained, vae_run),
}


def reload_and_check(name):
    load, run = RELOAD[name]
    folder = os.path.join(OUT, name)
    model = load(folder).eval()
    inputs = load_file(os.path.join(folder, "inputs.safetensors"))
    expected = load_file(os.path.join(folder, "outputs.safetensors"))
    got = run(model, inputs)
    assert sorted(got) == sorted(expected), (name, sorted(got), sorted(expected))
    worst = max((got[k] - expected[k]).abs().max().item() for k in expected)
    print("  reload %-16s max abs diff %g" % (name, worst))
    assert worst == 0.0, "%s: re-loaded model does not reproduce outputs (max abs diff %g)" % (name, worst)

# ----------------------------------------------------------------------------- README

DESCRIPTIONS = {
    "unet-sdxl": "diffusers `UNet2DConditionModel` shaped like SDXL's: `block_out_channels=(8,16,24)`, "
                 "`layers_per_block=1`, down `(DownBlock2D, CrossAttnDownBlock2D, CrossAttnDownBlock2D)`, up "
                 "`(CrossAttnUpBlock2D, CrossAttnUpBlock2D, UpBlock2D)`, `transformer_layers_per_block=[1,1,2]` "
                 "(mid block: the last entry; up blocks: the reversed list, so up block 0 has 2 layers and up "
                 "block 1 one), `attention_head_dim=[2,2,4]` (head counts), `use_linear_projection=True`, "
                 "`cross_attention_dim=32`, `norm_num_groups=4`, "
                 "`addition_embed_type=\"text_time\"`, `addition_time_embed_dim=8`, "
                 "`projection_class_embeddings_input_dim=80` (= 32 + 6 x 8). Per-sample float timesteps. "
                 "Produced by `model(sample, timestep, encoder_hidden_states=..., added_cond_kwargs={\"text_embeds\": ..., "
                 "\"time_ids\": ...}).sample`.",
    "text-encoder-1": "transformers `CLIPTextModel` like SDXL's `text_encoder/`: vocab 512, hidden 32, 3 layers, 4 heads, "
                      "`quick_gelu`, legacy `eos_token_id=2` (pooling at `argmax(input_ids)`); ids end with the "
                      "end token (511, the largest id) repeated as padding. `penultimate_hidden_state` is `hidden_states[-2]` "
                      "of `model(input_ids, output_hidden_states=True)`: the output of layer 2 of 3, before "
                      "`final_layer_norm`.",
    "text-encoder-2": "transformers `CLIPTextModelWithProjection` like SDXL's `text_encoder_2/`: hidden 32, 3 layers, "
                      "2 heads, `gelu`, legacy `eos_token_id=2`, `projection_dim=32`; weights under `text_model.` "
                      "plus the top-level `text_projection.weight` (no bias). Ids padded with 0 after the end "
                      "token, as SDXL's second tokenizer. `text_embeds` and `last_hidden_state` come from the "
                      "model, `penultimate_hidden_state` is `hidden_states[-2]`, `pooler_output` is "
                      "`model.text_model(input_ids).pooler_output` (`text_embeds = text_projection(pooler_output)`).",
    "vae-sdxl": "diffusers `AutoencoderKL` with SDXL's `scaling_factor=0.13025` and `force_upcast=True` (neither is "
                "used by the module): `block_out_channels=(8,16)`, `layers_per_block=1`, `norm_num_groups=4`. "
                "`sample = model.decode(latents).sample`, `latent_dist_mean = model.encode(images).latent_dist.mean`.",
}


def tensor_lines(name, fname):
    tensors = load_file(os.path.join(OUT, name, fname))
    return ["  - `%s` %s [%s]" % (k, str(v.dtype).replace("torch.", ""), ",".join(str(s) for s in v.shape))
            for k, v in sorted(tensors.items())]


def write_readme():
    lines = ["# SDXL network fixtures", "",
             "Generated by `Tools/make_sdxl_fixtures.py` -- do not edit by hand (this README is written by "
             "the script too). Regenerate from the repository root with "
             "`.venv-reference/bin/python Tools/make_sdxl_fixtures.py`.", "",
             "Pinned versions: " + VERSIONS_LINE + ". Deterministic (byte-identical on rerun); every folder is "
             "re-loaded with `from_pretrained` and must reproduce `outputs.safetensors` exactly. Models are tiny, "
             "randomly initialised, then perturbed (matrices `+= randn / sqrt(fan_in)`, vectors `+= 0.1 * randn`), "
             "run in eval mode, float32, CPU; CLIP with `attn_implementation=\"eager\"`.", ""]
    for name in ["unet-sdxl", "text-encoder-1", "text-encoder-2", "vae-sdxl"]:
        lines += ["## " + name, "", DESCRIPTIONS[name], "", "- Inputs (`inputs.safetensors`):"]
        lines += tensor_lines(name, "inputs.safetensors")
        lines += ["- Outputs (`outputs.safetensors`):"]
        lines += tensor_lines(name, "outputs.safetensors")
        lines += ["- Output std: " + ", ".join("`%s` %.4f" % kv for kv in RESULTS[name].items()), ""]
    with open(os.path.join(OUT, "README.md"), "w") as fh:
        fh.write("\n".join(lines))

# ----------------------------------------------------------------------------- main


def main():
    os.makedirs(OUT, exist_ok=True)
    print("versions:", VERSIONS_LINE)
    ids1, ids2, unet_in, vae_in = make_inputs()
    save_fixture("text-encoder-1", clip_model(CLIPTextModel, TEXT_ENCODER_1, 51), "model.safetensors", ids1,
                 text_encoder_run)
    save_fixture("text-encoder-2", clip_model(CLIPTextModelWithProjection, TEXT_ENCODER_2, 52), "model.safetensors",
                 ids2, text_encoder_run)
    save_fixture("unet-sdxl", diffusers_model(UNet2DConditionModel, UNET_SDXL, 53),
                 "diffusion_pytorch_model.safetensors", unet_in, unet_run)
    save_fixture("vae-sdxl", diffusers_model(AutoencoderKL, VAE_SDXL, 54), "diffusion_pytorch_model.safetensors",
                 vae_in, vae_run)
    write_readme()
    print("re-loading saved folders:")
    for name in RELOAD:
        reload_and_check(name)
    print("done: fixtures written to", OUT)


if __name__ == "__main__":
    main()
