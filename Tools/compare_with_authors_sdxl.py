#!/usr/bin/env python3
"""Compare `semantic-draw generate --accelerator lightning --seed S` on SDXL with the authors' SDXL
one-shot pipeline (CPU, float32), and write the fixtures of SDXLReproductionTests.

    python Tools/compare_with_authors_sdxl.py --authors-checkout DIR --semantic-draw .build/debug/semantic-draw \
        [--write-fixtures]

DIR is a checkout of sontyubo/semantic-draw (a fork of the authors' repository with their SDXL
pipeline; checked against commit 98dab24, "Update README.md"). This file contains none of their
code: it imports `src/model/pipeline_semantic_draw_sdxl.py` (class `SemanticDrawSDXLPipeline`) from
the checkout with its constructor defaults and applies the runtime patches in PATCHES, each needed
only to run it offline on the CPU with a tiny model; no numeric step of theirs is changed.

The model is tiny-random-xl (`semantic-draw export tiny-random-xl`, an SDXL-shaped pipeline with
random weights), passed as their `hf_key`; their constructor then fuses SDXL-Lightning's 4-step
LoRA, which is replaced by a tiny random LoRA in the kohya layout (`lora_unet_...` keys, as
ByteDance's file) written by this script (`lightning-lora.safetensors`); our side gets the same
file with `--accelerator-lora`. Both sides run the same mask PNGs, prompts, options and seed;
their side seeds PyTorch's global generator right before the call, as their demos do.

With --write-fixtures, Tests/Fixtures/sdxl-authors/ receives the masks, the LoRA, their image of
every case (`<case>.png`, exactly as their pipeline returns it) and `cases.json` (our `generate`
options per case and the tolerance the Swift test applies). docs/REPRODUCTION.md has the results
and the explanation of every difference.

Their 8-bit conversion truncates (`ToPILImage`: `mul(255).byte()`) where our PNG writer rounds, which
alone differs by 1 level in about half the samples; the script prints both the comparison with their
image as they return it and with their float image rounded to nearest ("rounded"), and the fixture
`<case>.png` is the rounded one (the numbers their pipeline computed, quantised as ours are). A case
their code cannot run (an exception in their pipeline) is reported with the exception and left out
of the fixtures; docs/REPRODUCTION.md explains each.

Environment: the pinned reference environment (Tools/setup-reference-env.sh; torch 2.13.0 CPU,
diffusers 0.42.1, transformers 5.24.0, peft 0.21.2) plus einops and tqdm, which their module
imports. torchvision is not installed (PyPI's wheels do not load with the CPU torch): their module
uses only `torchvision.transforms.ToTensor` / `ToPILImage`, provided by a shim (P4).
"""

import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import authors_comparison  # noqa: E402
from authors_comparison import PATCH_NO_BLIP, PATCH_TORCHVISION_SHIM, README_MEASUREMENTS  # noqa: E402

LORA_NAME = "lightning-lora.safetensors"

PATCHES = [
    PATCH_NO_BLIP,
    "P2 hf_key = the tiny-random-xl folder; `hf_hub_download('ByteDance/SDXL-Lightning', 'sdxl_lightning_4step_lora.safetensors')` "
    "returns the tiny random LoRA written here (same kohya layout), which their code loads, sets to weight 1.0 and fuses as it would the real one.",
    "P3 device='cpu', dtype=torch.float32 (constructor arguments); their `torch.autocast('cuda')` then only warns.",
    PATCH_TORCHVISION_SHIM,
]

DIAGNOSTICS = {
    "white": "when their get_white_background(H, W) would return the top-left crop of the 1024 x 1024 white "
             "latent their constructor sampled (before any seed: nothing reproduces that draw), it returns the "
             "posterior mean of an H x W white image instead, our stand-in (docs/REFERENCE_PIPELINE.md R13); "
             "when it re-encodes (and samples), it is unchanged",
}

# name -> case (Tools/authors_comparison.py): the five small cases both comparisons run, and the tiled one.
CASES = dict(authors_comparison.SMALL_CASES, tiled=authors_comparison.TILED_CASE)
LARGE = ("tiled",)  # minutes on a CPU, and a 3 MB image: run with --large, reported in docs/REPRODUCTION.md, no fixture


def make_lora(model_dir, path):
    """A tiny random SDXL-Lightning-style LoRA (kohya layout, diffusers module names) for the UNet's
    attention projections, rank 4, alpha 4 (scale 1), deterministic."""
    from diffusers import UNet2DConditionModel
    unet = UNet2DConditionModel.from_pretrained(model_dir, subfolder="unet")
    generator = torch.Generator().manual_seed(2024)
    tensors = {}
    for name, module in sorted(unet.named_modules()):
        if not isinstance(module, torch.nn.Linear) or not any(name.endswith(s) for s in (".to_q", ".to_k", ".to_v", ".to_out.0")):
            continue
        key = "lora_unet_" + name.replace(".", "_")
        rank = 4
        tensors[key + ".lora_down.weight"] = torch.randn(rank, module.in_features, generator=generator) * 0.2
        tensors[key + ".lora_up.weight"] = torch.randn(module.out_features, rank, generator=generator) * 0.2
        tensors[key + ".alpha"] = torch.tensor(float(rank))
    save_file(tensors, path)


def load_authors(checkout, model_dir, lora_path):
    """Their SemanticDrawSDXLPipeline with P1-P4 applied."""
    authors_comparison.install_torchvision_shim()  # P4
    module = authors_comparison.import_authors_module(checkout, "pipeline_semantic_draw_sdxl.py")
    module.hf_hub_download = lambda repo, filename, **kwargs: lora_path  # P2
    return authors_comparison.construct_authors(module.SemanticDrawSDXLPipeline, model_dir)  # P1-P3


def scale_latent(vae, mean):
    """Their SDXL encoder's scaling of a posterior latent (the VAE has no shift)."""
    return vae.config.scaling_factor * mean


def prepare_schedule(smd, slots):
    """Their documented way to set the denoising slots: of their SDXL-Lightning 50-step schedule."""
    smd.prepare_lightning_schedule(slots, 50)


README = """# The authors' SDXL pipeline on tiny-random-xl

Written by `Tools/compare_with_authors_sdxl.py --write-fixtures` -- do not edit by hand. Each
`<case>.png` is the image the authors' `SemanticDrawSDXLPipeline` (sontyubo/semantic-draw at
{commit}, `src/model/pipeline_semantic_draw_sdxl.py`, constructor defaults, CPU, float32) computed
for the case, its float pixels rounded to nearest (their `ToPILImage` truncates; our PNG writer
rounds); `cases.json` holds our `generate` options for the same case (`--model
tiny-random-xl`, the model the script exported and gave them as `hf_key`), and
`lightning-lora.safetensors` is the tiny random LoRA (kohya layout) fused on both sides in place of
SDXL-Lightning's 4-step LoRA. `SDXLReproductionTests` runs the options and compares pixels.

Runtime patches on their side (none changes a numeric step):
{patches}
""" + README_MEASUREMENTS

COMPARISON = authors_comparison.Comparison(
    description=__doc__, model="tiny-random-xl", fixtures="sdxl-authors", accelerator="lightning",
    accelerator_name=LORA_NAME, make_accelerator=make_lora, load_authors=load_authors,
    prepare_schedule=prepare_schedule, scale_latent=scale_latent, cases=CASES, large=LARGE, patches=PATCHES,
    diagnostics=DIAGNOSTICS, readme=README)


if __name__ == "__main__":
    authors_comparison.main(COMPARISON)
