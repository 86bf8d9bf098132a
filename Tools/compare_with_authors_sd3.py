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
compare_with_authors_sdxl.py provides the two transforms their module calls (P4).
"""

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import types

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_with_authors import load_mask, load_rgb, pixel_difference  # noqa: E402
from compare_with_authors_sdxl import _Transforms, install_torchvision_shim, mask_path, result_row  # noqa: E402
from reference_pins import check as check_pins  # noqa: E402

check_pins("torch", "diffusers", "transformers", "peft")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "sd3-authors")
AUTHORS_COMMIT = "98dab24"
ADAPTER_NAME = "flash-adapter"
SD3_REPO = "stabilityai/stable-diffusion-3-medium-diffusers"
FLASH_REPO = "jasperai/flash-sd3"

PATCHES = [
    "P1 has_i2t=False (a constructor argument): BLIP-2 is not loaded; every case passes a background prompt when it has a background image.",
    f"P2 hf_key = the tiny-random-sd3 folder; their constructor's `StableDiffusion3Pipeline.from_pretrained('{SD3_REPO}')` and "
    f"`FlashFlowMatchEulerDiscreteScheduler.from_pretrained('{SD3_REPO}', subfolder='scheduler')` load that folder too, and "
    f"`PeftModel.from_pretrained(transformer, '{FLASH_REPO}')` loads the tiny random adapter written here (same PEFT layout).",
    "P3 device='cpu', dtype=torch.float32 (constructor arguments); the `torch_dtype=torch.float16` their constructor hard-codes in "
    "both from_pretrained calls becomes float32 (our side computes in float32); their `torch.autocast('cuda')` then only warns.",
    "P4 `torchvision.transforms` is a shim with ToTensor (PIL -> float CHW / 255) and ToPILImage (float CHW -> `mul(255).byte()` -> RGB), "
    "the two torchvision functions their module calls, with torchvision's arithmetic.",
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

# name -> case: brushes (prompt, mask, std, alpha, strength, negative), options. Sizes from the masks (48 x 64).
CASES = {
    "two_brushes": dict(  # their defaults: 5 slots, guidance 0, bootstrap 1 over the white background (case d)
        brushes=[dict(prompt="a red apple", mask="disc.png", std=2.0, strength=0.8),
                 dict(prompt="blue sky", mask="half.png", std=2.0)],
        seed=3),
    "full_cover": dict(  # the canvas covered: no background, no bootstrap
        brushes=[dict(prompt="a red apple", mask="left_48x64.png", std=0.0),
                 dict(prompt="blue sky", mask="right_48x64.png", std=0.0)],
        bootstrap=0, seed=7),
    "cfg_rescale": dict(  # guidance 2.5 with their guidance_rescale 0.7 (P6) and negative prompts
        brushes=[dict(prompt="a red apple", negative="worms", mask="left_48x64.png", std=0.0),
                 dict(prompt="blue sky", negative="clouds", mask="right_48x64.png", std=0.0)],
        guidance=2.5, bootstrap=0, seed=9),
    "background_prompt": dict(  # case (c): the background prompt generated as a region, 4 slots
        brushes=[dict(prompt="a tall tree", mask="disc.png", std=4.0)],
        background_prompt="a green meadow", slots=[0, 12, 25, 37], seed=11),
    "background_image": dict(  # case (a): a background image with its prompt, bootstrap mixing (P7 matters here)
        brushes=[dict(prompt="a boat", mask="half.png", std=4.0)],
        background_image="background.png", background_prompt="a lake", bootstrap=2, mix=1.5, seed=5),
    "four_steps": dict(  # num_inference_steps=4: the Flash fork's own 4-step schedule (the model card's)
        brushes=[dict(prompt="a red apple", mask="disc.png", std=2.0)],
        steps=4, seed=13),
    "tiled": dict(  # 1024 x 1088 px > tile 1024: two 1024-px views (128 latents) blended
        brushes=[dict(prompt="a red apple", mask="left_1024x1088.png", std=0.0),
                 dict(prompt="blue sky", mask="right_1024x1088.png", std=0.0)],
        bootstrap=0, slots=[0, 12, 25, 37], seed=13),
}
LARGE = ("tiled",)  # minutes on a CPU and a 3 MB image: run with --large, reported in docs/REPRODUCTION.md, no fixture


def cli_options(case, folder):
    """Our generate options (paths relative to `folder`, the fixture folder)."""
    options = []
    for b in case["brushes"]:
        options += ["--prompt", b["prompt"], "--mask", mask_path(b["mask"], folder),
                    "--mask-std", repr(float(b.get("std", 1.0))), "--mask-alpha", repr(float(b.get("alpha", 1.0))),
                    "--prompt-strength", repr(float(b.get("strength", 1.0)))]
        if "negative" in b:
            options += ["--negative-prompt", b["negative"]]
    if "background_image" in case:
        options += ["--background-image", mask_path(case["background_image"], folder)]
    if "background_prompt" in case:
        options += ["--background-prompt", case["background_prompt"]]
    options += ["--guidance", repr(float(case.get("guidance", 0.0))),
                "--bootstrap-steps", str(case.get("bootstrap", 1)), "--bootstrap-mix", repr(float(case.get("mix", 1.0))),
                "--seed", str(case["seed"])]
    if "slots" in case:
        options += ["--slots", ",".join(str(s) for s in case["slots"])]
    if "steps" in case:
        options += ["--steps", str(case["steps"])]
    return options


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
    install_torchvision_shim()  # P4
    import diffusers
    import diffusers.schedulers
    diffusers.schedulers.FlashFlowMatchEulerDiscreteScheduler = flash_scheduler_class()  # P5
    src = os.path.join(checkout, "src")
    sys.path.insert(0, src)  # their module does `from util import ...`
    path = os.path.join(src, "model", "pipeline_semantic_draw_3.py")
    spec = importlib.util.spec_from_file_location("authors_pipeline_semantic_draw_3", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

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
    torch.manual_seed(0)  # their constructor encodes (samples) a 1024 x 1024 white latent: make it reproducible
    smd = cls(torch.device("cpu"), dtype=torch.float32, hf_key=model_dir, has_i2t=False)  # P1-P3
    smd.initial_white = smd.white
    return smd


def apply_diagnostics(smd, names):
    """Diagnostic patches (not their behaviour; each one of our documented choices)."""
    cls = type(smd)
    smd.get_white_background = types.MethodType(cls.get_white_background, smd)
    if "white" in names:
        def white_mean(self, height, width):
            if self.white.shape[-2] < height or self.white.shape[-1] < width:
                return cls.get_white_background(self, height, width)  # their re-encoding (a sample), unchanged
            vae = self.vae
            ones = torch.ones(1, 3, height, width, dtype=self.dtype, device=self.device)
            return (vae.encode(2 * ones - 1).latent_dist.mode() - vae.config.shift_factor) * vae.config.scaling_factor
        smd.get_white_background = types.MethodType(white_mean, smd)


def run_authors(smd, case, folder, diagnostics=()):
    apply_diagnostics(smd, diagnostics)
    brushes = case["brushes"]
    masks = torch.stack([load_mask(mask_path(b["mask"], folder)) for b in brushes])[:, None]  # 1 = inside
    kwargs = dict(
        prompts=[b["prompt"] for b in brushes], negative_prompts=[b.get("negative", "") for b in brushes], masks=masks,
        mask_stds=[float(b.get("std", 1.0)) for b in brushes], mask_strengths=[float(b.get("alpha", 1.0)) for b in brushes],
        prompt_strengths=[float(b.get("strength", 1.0)) for b in brushes],
        height=masks.shape[-2], width=masks.shape[-1], guidance_scale=float(case.get("guidance", 0.0)),
        bootstrap_steps=int(case.get("bootstrap", 1)), boostrap_mix_steps=float(case.get("mix", 1.0)))
    if "background_image" in case:
        kwargs["background"] = load_rgb(mask_path(case["background_image"], folder)).permute(2, 0, 1)[None]
    if "background_prompt" in case:
        kwargs["background_prompt"] = case["background_prompt"]
    if "steps" in case:
        kwargs["num_inference_steps"] = case["steps"]  # their __call__ sets up list(range(n)) of an n-step schedule
    else:
        smd.prepare_flashflowmatch_schedule(case.get("slots", [0, 4, 12, 25, 37]), 50)  # their documented way to set slots
    smd.white = smd.initial_white  # as a freshly constructed pipeline
    torch.manual_seed(case["seed"])  # their seed_everything(seed) on the CPU
    try:
        picture = smd(**kwargs)
    finally:
        smd.prepare_flashflowmatch_schedule([0, 4, 12, 25, 37], 50)
    as_returned = np.asarray(picture.convert("RGB"), dtype=np.uint8)
    rounded = _Transforms.last_float.mul(255).round().clamp(0, 255).byte().permute(1, 2, 0).numpy()
    return as_returned, rounded


def run_cli(binary, model_dir, adapter_dir, case, folder, output):
    command = [binary, "generate", "--model", model_dir, "--accelerator", "flash", "--accelerator-lora", adapter_dir]
    run = subprocess.run(command + cli_options(case, folder) + ["--output", output], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"semantic-draw generate failed: {run.stderr}")
    return np.asarray(Image.open(output).convert("RGB"), dtype=np.uint8)


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

Diagnostic patch, applied to the fixture image of every case with bootstrapping (not their
behaviour; one of our documented choices):
{diagnostics}

Measured when the fixtures were written (our CLI against their image, levels of 255):

| case | as they return it: max / samples that differ | rounded: max / samples that differ | diagnostic patch | rounded + patch (the fixture) |
|---|---|---|---|---|
{results}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--authors-checkout", required=True, help="checkout of sontyubo/semantic-draw (commit 98dab24)")
    parser.add_argument("--semantic-draw", required=True, help="the built semantic-draw executable")
    parser.add_argument("--case", action="append", help="run only these cases (repeatable)")
    parser.add_argument("--large", action="store_true", help="also run the large cases (%s)" % ", ".join(LARGE))
    parser.add_argument("--write-fixtures", action="store_true", help="write Tests/Fixtures/sd3-authors/")
    args = parser.parse_args()
    names = args.case or [n for n in CASES if args.large or n not in LARGE]
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as scratch:
        folder = FIXTURES if args.write_fixtures else os.path.join(scratch, "fixtures")
        os.makedirs(folder, exist_ok=True)
        generate_fixtures = os.path.join(ROOT, "Tests", "Fixtures", "generate")
        for name in ("disc.png", "half.png", "background.png"):
            shutil.copyfile(os.path.join(generate_fixtures, name), os.path.join(folder, name))
        model_dir = os.path.join(scratch, "tiny-random-sd3")
        subprocess.run([args.semantic_draw, "export", "tiny-random-sd3", model_dir, "--force"], check=True, capture_output=True)
        adapter_dir = os.path.join(folder, ADAPTER_NAME)
        make_adapter(model_dir, adapter_dir)
        smd = load_authors(args.authors_checkout, model_dir, adapter_dir)
        cases, measured = {}, {}
        for name in names:
            case = CASES[name]
            ours = run_cli(args.semantic_draw, model_dir, adapter_dir, case, folder, os.path.join(scratch, f"{name}.ours.png"))
            diagnostics = ("white",) if case.get("bootstrap", 1) > 0 else ()
            try:
                theirs, rounded = run_authors(smd, case, folder)
                patched = run_authors(smd, case, folder, diagnostics)[1] if diagnostics else rounded
            except Exception as error:  # noqa: BLE001 - their pipeline's own failure, reported per case
                failure = f"{type(error).__name__}: {error}"
                print(f"{name}: their code fails: {failure}", flush=True)
                measured[name] = dict(failure=failure)
                continue
            worst, differing, total = pixel_difference(ours, theirs)
            rounded_worst, rounded_differing, _ = pixel_difference(ours, rounded)
            patched_worst, patched_differing, _ = pixel_difference(ours, patched)
            print(f"{name}: max {worst}/255, {differing}/{total} samples differ; rounded: max {rounded_worst}/255, "
                  f"{rounded_differing}/{total} differ; rounded + {'+'.join(diagnostics) or 'no patch'}: max {patched_worst}/255, "
                  f"{patched_differing}/{total} differ", flush=True)
            if name in LARGE:
                continue
            if args.write_fixtures:
                Image.fromarray(patched).save(os.path.join(folder, f"{name}.png"))
            cases[name] = ["--model", "tiny-random-sd3", "--accelerator", "flash", "--accelerator-lora", ADAPTER_NAME] + [
                o.replace(folder + os.sep, "") for o in cli_options(case, folder)]
            measured[name] = dict(max=worst, differing=differing, samples=total, rounded_max=rounded_worst,
                                  rounded_differing=rounded_differing, patched_max=patched_worst,
                                  patched_differing=patched_differing, diagnostics=diagnostics)
        if args.write_fixtures:
            with open(os.path.join(folder, "cases.json"), "w") as handle:
                json.dump(cases, handle, indent=1)
            with open(os.path.join(folder, "README.md"), "w") as handle:
                handle.write(README.format(commit=AUTHORS_COMMIT, patches="\n".join("- " + p for p in PATCHES),
                                           diagnostics="\n".join(f"- {k}: {v}" for k, v in DIAGNOSTICS.items()),
                                           results="\n".join(result_row(n, m) for n, m in measured.items())))
    print("authors' code:", AUTHORS_COMMIT, "| runtime patches:")
    for patch in PATCHES:
        print("  " + patch)


if __name__ == "__main__":
    main()
