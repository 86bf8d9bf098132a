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

import functools
import os

import torch

# First: importing fixture_support asserts the pinned versions (one CPU thread, deterministic).
from fixture_support import (FIXTURES_ROOT, VERSIONS_LINE, FixtureFolder, clip_text_model, diffusers_model,
                             load_clip_text_model)
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPTextModel, CLIPTextModelWithProjection

OUT = os.path.join(FIXTURES_ROOT, "sdxl")
FIXTURES = FixtureFolder(OUT, column_widths=(16, 26, 14))
WEIGHTS = "diffusion_pytorch_model.safetensors"
CLIP_WEIGHTS = "model.safetensors"

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

# ----------------------------------------------------------------------------- re-load check

# name -> (load, run), in the order the folders are checked.
RELOAD = {
    "text-encoder-1": (functools.partial(load_clip_text_model, CLIPTextModel), text_encoder_run),
    "text-encoder-2": (functools.partial(load_clip_text_model, CLIPTextModelWithProjection), text_encoder_run),
    "unet-sdxl": (UNet2DConditionModel.from_pretrained, unet_run),
    "vae-sdxl": (AutoencoderKL.from_pretrained, vae_run),
}


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
        lines += FIXTURES.readme_section(name, DESCRIPTIONS[name])
    FIXTURES.write_readme(lines)

# ----------------------------------------------------------------------------- main


def main():
    FIXTURES.start()
    ids1, ids2, unet_in, vae_in = make_inputs()
    FIXTURES.save_network("text-encoder-1", clip_text_model(CLIPTextModel, TEXT_ENCODER_1, 51), ids1, text_encoder_run,
                          CLIP_WEIGHTS)
    FIXTURES.save_network("text-encoder-2", clip_text_model(CLIPTextModelWithProjection, TEXT_ENCODER_2, 52), ids2,
                          text_encoder_run, CLIP_WEIGHTS)
    FIXTURES.save_network("unet-sdxl", diffusers_model(UNet2DConditionModel, UNET_SDXL, 53), unet_in, unet_run, WEIGHTS)
    FIXTURES.save_network("vae-sdxl", diffusers_model(AutoencoderKL, VAE_SDXL, 54), vae_in, vae_run, WEIGHTS)
    write_readme()
    FIXTURES.reload_all(RELOAD)


if __name__ == "__main__":
    main()
