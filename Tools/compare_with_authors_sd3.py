#!/usr/bin/env python3
"""Compare `semantic-draw generate --accelerator flash --seed S` on SD3 with the authors' SD3
one-shot pipeline (CPU, float32), and write the fixtures of SD3ReproductionTests.

    python Tools/compare_with_authors_sd3.py --authors-checkout DIR --semantic-draw .build/debug/semantic-draw \
        [--write-fixtures]

DIR is a checkout of sontyubo/semantic-draw (a fork of the authors' repository with their SD3
pipeline; checked against commit 98dab24, "Update README.md"). This file contains none of their
code: it imports `src/model/pipeline_semantic_draw_3.py` (class `SemanticDraw3Pipeline`) from the
checkout with its constructor defaults and applies the runtime patches in PATCHES, each needed
only to run it offline on the CPU with a tiny model, plus one bug fix (P7, their encoder leaves
out the VAE shift their decoder adds back); no other numeric step of theirs is changed.

The model is tiny-random-sd3 (`semantic-draw export tiny-random-sd3`, an SD3-shaped pipeline
without T5 with random weights). Their constructor loads the transformer from `hf_key` and
everything else (text encoders, VAE, scheduler config) from stabilityai/stable-diffusion-3-medium-
diffusers, then wraps the transformer in `PeftModel.from_pretrained(transformer,
"jasperai/flash-sd3")`; both repo ids are redirected to the exported folder and to a tiny random
PEFT adapter written here (`flash-adapter/`: adapter_config.json + adapter_model.safetensors, the
layout of jasperai/flash-sd3), which our side gets with `--accelerator-lora flash-adapter` (fused
into the weights; theirs stays a PEFT wrapper, computing W x + s B A x: round-off only). Both
sides run the same mask PNGs, prompts, options and seed; their side seeds PyTorch's global
generator right before the call, as their demos do.

With --write-fixtures, Tests/Fixtures/sd3-authors/ receives the masks, the adapter, their image of
every case (`<case>.png`, their float pixels rounded to nearest as our PNG writer rounds; their
`ToPILImage` truncates) and `cases.json` (our `generate` options per case and the tolerance the
Swift test applies). docs/REPRODUCTION.md (SD3 section) has the results and the explanation of
every difference. A case their code cannot run is reported with the exception and left out.

Environment: the pinned reference environment (Tools/setup-reference-env.sh; torch 2.13.0 CPU,
diffusers 0.42.1, transformers 5.24.0, peft 0.21.2) plus einops and tqdm, which their module
imports. torchvision is not installed (PyPI's wheels do not load with the CPU torch): the shim of
authors_comparison.py provides the two transforms their module calls (P4).
"""

import json
import os
import shutil
import sys
import types

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import authors_comparison  # noqa: E402
from authors_comparison import PATCH_NO_BLIP, PATCH_TORCHVISION_SHIM, README_MEASUREMENTS  # noqa: E402
from reference_pins import check as check_pins  # noqa: E402

check_pins("torch", "diffusers", "transformers", "peft")

ADAPTER_NAME = "flash-adapter"
SD3_REPO = "stabilityai/stable-diffusion-3-medium-diffusers"
FLASH_REPO = "jasperai/flash-sd3"

PATCHES = [
    PATCH_NO_BLIP,
    f"P2 hf_key = the tiny-random-sd3 folder; their constructor's `StableDiffusion3Pipeline.from_pretrained('{SD3_REPO}')` and "
    f"`FlashFlowMatchEulerDiscreteScheduler.from_pretrained('{SD3_REPO}', subfolder='scheduler')` load that folder too, and "
    f"`PeftModel.from_pretrained(transformer, '{FLASH_REPO}')` loads the tiny random adapter written here (same PEFT layout).",
    "P3 device='cpu', dtype=torch.float32 (constructor arguments); the `torch_dtype=torch.float16` their constructor hard-codes in "
    "both from_pretrained calls becomes float32 (our side computes in float32); their `torch.autocast('cuda')` then only warns.",
    PATCH_TORCHVISION_SHIM,
    "P5 `diffusers.schedulers.FlashFlowMatchEulerDiscreteScheduler` (the Flash Diffusion fork's class, initml/diffusers branch "
    "clement/feature/flash_sd3, not in diffusers 0.42.1) is provided as a re-expression of the fork's class: its constructor "
    "config (num_train_timesteps, shift), set_timesteps(n), timesteps and sigmas (Tools/make_sd3_fixtures.py checks the arithmetic "
    "against diffusers'); their pipeline uses nothing else of it.",
    "P6 `rescale_noise_cfg`, which their module calls with guidance > 1 (their default guidance_rescale 0.7) but neither defines "
    "nor imports (a NameError), is diffusers' `pipelines.stable_diffusion.pipeline_stable_diffusion.rescale_noise_cfg`, the "
    "function their SDXL and SD3 stream modules copy.",
    "P7 (a bug fix, not an offline patch) their `encode_imgs` returns `scaling_factor * z`, leaving out the VAE's `shift_factor` "
    "that their decode adds back (`latent / scaling_factor + shift_factor`); it returns diffusers' `(z - shift_factor) * "
    "scaling_factor` instead, as our side encodes (docs/REPRODUCTION.md).",
]

DIAGNOSTICS = {
    "white": "when their get_white_background(H, W) would return the top-left crop of the 1024 x 1024 white "
             "latent their constructor sampled (before any seed: nothing reproduces that draw), it returns the "
             "posterior mean of an H x W white image instead (shifted and scaled, P7), our stand-in "
             "(docs/REFERENCE_PIPELINE.md R13); when it re-encodes (and samples), it is unchanged",
}

# name -> case (Tools/authors_comparison.py): the five small cases both comparisons run, four_steps, the tiled one.
CASES = dict(
    authors_comparison.SMALL_CASES,
    four_steps=dict(  # num_inference_steps=4: the Flash fork's own 4-step schedule (the model card's)
        brushes=[dict(prompt="a red apple", mask="disc.png", std=2.0)],
        steps=4, seed=13),
    tiled=authors_comparison.TILED_CASE)
LARGE = ("tiled",)  # minutes on a CPU and a 3 MB image: run with --large, reported in docs/REPRODUCTION.md, no fixture


def make_adapter(model_dir, folder):
    """A tiny random Flash-style PEFT adapter (rank 4, alpha 4: scale 1) over the transformer's
    attention and feed-forward projections, saved as PeftModel.save_pretrained does; deterministic."""
    from diffusers import SD3Transformer2DModel
    from peft import LoraConfig, get_peft_model
    transformer = SD3Transformer2DModel.from_pretrained(model_dir, subfolder="transformer")
    targets = ["to_q", "to_k", "to_v", "to_out.0", "add_q_proj", "add_k_proj", "add_v_proj", "to_add_out",
               "ff.net.0.proj", "ff.net.2", "ff_context.net.0.proj", "ff_context.net.2"]
    torch.manual_seed(2025)
    model = get_peft_model(transformer, LoraConfig(r=4, lora_alpha=4, target_modules=targets, init_lora_weights=False))
    with torch.no_grad():
        for name, parameter in sorted(model.named_parameters()):
            if "lora_" in name:
                parameter.copy_(torch.randn(parameter.shape) * 0.2)
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    model.save_pretrained(folder, safe_serialization=True)
    for name in sorted(os.listdir(folder)):
        if name not in ("adapter_config.json", "adapter_model.safetensors"):
            os.remove(os.path.join(folder, name))
    with open(os.path.join(folder, "adapter_config.json")) as handle:
        configuration = json.load(handle)
    configuration.update(base_model_name_or_path=None, peft_version=None, target_modules=sorted(configuration["target_modules"]))
    with open(os.path.join(folder, "adapter_config.json"), "w") as handle:
        json.dump(configuration, handle, indent=2, sort_keys=True)


def flash_schedule(shift, steps, train_steps):
    """The Flash fork's set_timesteps(n), as Tools/make_sd3_fixtures.py re-expresses it (there checked
    against diffusers' FlowMatchEulerDiscreteScheduler, which spaces sigmas identically): the float32
    training table's sigma_max and sigma_min, n timesteps between them by np.linspace (float64), the
    shift applied again, float32 sigmas, timesteps sigma * N, and a final sigma 0."""
    table = torch.from_numpy(np.linspace(1, train_steps, train_steps, dtype=np.float32)[::-1].copy()) / train_steps
    table = shift * table / (1 + (shift - 1) * table)
    spaced = np.linspace(table[0].item() * train_steps, table[-1].item() * train_steps, steps) / train_steps
    sigmas = torch.from_numpy(shift * spaced / (1 + (shift - 1) * spaced)).to(dtype=torch.float32)
    return sigmas * train_steps, torch.cat([sigmas, torch.zeros(1)])


def flash_scheduler_class():
    """P5: the Flash fork's FlashFlowMatchEulerDiscreteScheduler, re-expressed (what their pipeline uses of it)."""
    from diffusers.configuration_utils import ConfigMixin, register_to_config
    from diffusers.schedulers.scheduling_utils import SchedulerMixin

    class FlashFlowMatchEulerDiscreteScheduler(SchedulerMixin, ConfigMixin):
        config_name = "scheduler_config.json"
        _compatibles = []
        order = 1

        @register_to_config
        def __init__(self, num_train_timesteps: int = 1000, shift: float = 1.0):
            self.set_timesteps(num_train_timesteps)

        def set_timesteps(self, num_inference_steps, device=None):
            self.num_inference_steps = num_inference_steps
            self.timesteps, self.sigmas = flash_schedule(self.config.shift, num_inference_steps, self.config.num_train_timesteps)

    return FlashFlowMatchEulerDiscreteScheduler


def load_authors(checkout, model_dir, adapter_dir):
    """Their SemanticDraw3Pipeline with P1-P7 applied."""
    authors_comparison.install_torchvision_shim()  # P4
    import diffusers
    import diffusers.schedulers
    diffusers.schedulers.FlashFlowMatchEulerDiscreteScheduler = flash_scheduler_class()  # P5
    module = authors_comparison.import_authors_module(checkout, "pipeline_semantic_draw_3.py")

    def local(name):  # P2
        return {SD3_REPO: model_dir, FLASH_REPO: adapter_dir}.get(name, name)

    def redirected(load):
        def call(name, *args, **kwargs):
            if "torch_dtype" in kwargs:
                kwargs["torch_dtype"] = torch.float32  # P3
            return load(local(name), *args, **kwargs)
        return call

    module.SD3Transformer2DModel = types.SimpleNamespace(from_pretrained=redirected(module.SD3Transformer2DModel.from_pretrained))
    module.StableDiffusion3Pipeline = types.SimpleNamespace(from_pretrained=redirected(module.StableDiffusion3Pipeline.from_pretrained))
    module.FlashFlowMatchEulerDiscreteScheduler = types.SimpleNamespace(
        from_pretrained=redirected(module.FlashFlowMatchEulerDiscreteScheduler.from_pretrained))
    peft_load = module.PeftModel.from_pretrained
    module.PeftModel = types.SimpleNamespace(from_pretrained=lambda model, name, **kwargs: peft_load(model, local(name), **kwargs))
    from diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion import rescale_noise_cfg
    module.rescale_noise_cfg = rescale_noise_cfg  # P6
    cls = module.SemanticDraw3Pipeline

    def encode_imgs(self, imgs, generator=None, vae=None):  # P7: their method with the VAE shift subtracted
        vae = self.vae if vae is None else vae
        latents = vae.encode(2 * imgs - 1).latent_dist.sample(generator)
        return (latents - vae.config.shift_factor) * vae.config.scaling_factor
    cls.encode_imgs = encode_imgs
    return authors_comparison.construct_authors(cls, model_dir)  # P1-P3


def scale_latent(vae, mean):
    """diffusers' SD3 scaling of a posterior latent, shifted and scaled (P7)."""
    return (mean - vae.config.shift_factor) * vae.config.scaling_factor


def prepare_schedule(smd, slots):
    """Their documented way to set the denoising slots: of their Flash 50-step schedule."""
    smd.prepare_flashflowmatch_schedule(slots, 50)


README = """# The authors' SD3 pipeline on tiny-random-sd3

Written by `Tools/compare_with_authors_sd3.py --write-fixtures` -- do not edit by hand. Each
`<case>.png` is the image the authors' `SemanticDraw3Pipeline` (sontyubo/semantic-draw at
{commit}, `src/model/pipeline_semantic_draw_3.py`, constructor defaults, CPU, float32) computed
for the case, its float pixels rounded to nearest (their `ToPILImage` truncates; our PNG writer
rounds); `cases.json` holds our `generate` options for the same case (`--model tiny-random-sd3
--accelerator flash --accelerator-lora flash-adapter`: the model the script exported and gave
them, and `flash-adapter/`, the tiny random PEFT adapter both sides use in place of
jasperai/flash-sd3). `SD3ReproductionTests` runs the options and compares pixels (at most 2/255).

Runtime patches on their side (P7 fixes a bug of theirs; the others only make it run offline on
the CPU with the tiny model):
{patches}
""" + README_MEASUREMENTS

COMPARISON = authors_comparison.Comparison(
    description=__doc__, model="tiny-random-sd3", fixtures="sd3-authors", accelerator="flash",
    accelerator_name=ADAPTER_NAME, make_accelerator=make_adapter, load_authors=load_authors,
    prepare_schedule=prepare_schedule, scale_latent=scale_latent, cases=CASES, large=LARGE, patches=PATCHES,
    diagnostics=DIAGNOSTICS, readme=README)


if __name__ == "__main__":
    authors_comparison.main(COMPARISON)
