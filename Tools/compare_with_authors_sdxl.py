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
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_with_authors  # noqa: E402
from compare_with_authors import load_mask, load_rgb, pixel_difference  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "sdxl-authors")
AUTHORS_COMMIT = "98dab24"
LORA_NAME = "lightning-lora.safetensors"

PATCHES = [
    "P1 has_i2t=False (a constructor argument): BLIP-2 is not loaded; every case passes a background prompt when it has a background image.",
    "P2 hf_key = the tiny-random-xl folder; `hf_hub_download('ByteDance/SDXL-Lightning', 'sdxl_lightning_4step_lora.safetensors')` "
    "returns the tiny random LoRA written here (same kohya layout), which their code loads, sets to weight 1.0 and fuses as it would the real one.",
    "P3 device='cpu', dtype=torch.float32 (constructor arguments); their `torch.autocast('cuda')` then only warns.",
    "P4 `torchvision.transforms` is a shim with ToTensor (PIL -> float CHW / 255) and ToPILImage (float CHW -> `mul(255).byte()` -> RGB), "
    "the two torchvision functions their module calls, with torchvision's arithmetic.",
]

DIAGNOSTICS = {
    "white": "when their get_white_background(H, W) would return the top-left crop of the 1024 x 1024 white "
             "latent their constructor sampled (before any seed: nothing reproduces that draw), it returns the "
             "posterior mean of an H x W white image instead, our stand-in (docs/REFERENCE_PIPELINE.md R13); "
             "when it re-encodes (and samples), it is unchanged",
}

# name -> case: brushes (prompt, mask, std, alpha, strength, negative), options. Sizes from the masks.
CASES = {
    "two_brushes": dict(  # their defaults: 5 slots, guidance 0, bootstrap 1 over the white background (case d)
        brushes=[dict(prompt="a red apple", mask="disc.png", std=2.0, strength=0.8),
                 dict(prompt="blue sky", mask="half.png", std=2.0)],
        seed=3),
    "full_cover": dict(  # the canvas covered: no background, no bootstrap
        brushes=[dict(prompt="a red apple", mask="left_48x64.png", std=0.0),
                 dict(prompt="blue sky", mask="right_48x64.png", std=0.0)],
        bootstrap=0, seed=7),
    "cfg_rescale": dict(  # guidance 2.5 with their guidance_rescale 0.7 and negative prompts
        brushes=[dict(prompt="a red apple", negative="worms", mask="left_48x64.png", std=0.0),
                 dict(prompt="blue sky", negative="clouds", mask="right_48x64.png", std=0.0)],
        guidance=2.5, bootstrap=0, seed=9),
    "background_prompt": dict(  # case (c): the background prompt generated as a region, 4 slots
        brushes=[dict(prompt="a tall tree", mask="disc.png", std=4.0)],
        background_prompt="a green meadow", slots=[0, 12, 25, 37], seed=11),
    "background_image": dict(  # case (a): a background image with its prompt, bootstrap mixing
        brushes=[dict(prompt="a boat", mask="half.png", std=4.0)],
        background_image="background.png", background_prompt="a lake", bootstrap=2, mix=1.5, seed=5),
    "tiled": dict(  # 1024 x 1088 px > tile 1024: two views; time ids carry each view's crop offset
        brushes=[dict(prompt="a red apple", mask="left_1024x1088.png", std=0.0),
                 dict(prompt="blue sky", mask="right_1024x1088.png", std=0.0)],
        bootstrap=0, slots=[0, 12, 25, 37], seed=13),
}
LARGE = ("tiled",)  # minutes on a CPU, and a 3 MB image: run with --large, reported in docs/REPRODUCTION.md, no fixture


def mask_path(name, folder):
    """A PNG in `folder` (the fixture folder: disc, half and background are copied there), else one
    that compare_with_authors writes there (KIND_HxW.png)."""
    path = os.path.join(folder, name)
    return path if os.path.exists(path) else compare_with_authors.mask_path(name, folder)


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
    return options


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


class _Transforms(types.ModuleType):
    """P4: the two torchvision.transforms their module uses, with torchvision's arithmetic."""

    def __init__(self):
        super().__init__("torchvision.transforms")

    class ToTensor:  # noqa: D106 - PIL -> float [C, H, W] in 0..1
        def __call__(self, picture):
            array = np.asarray(picture, dtype=np.uint8)
            if array.ndim == 2:
                array = array[:, :, None]
            return torch.from_numpy(array.copy()).permute(2, 0, 1).float().div(255)

    class ToPILImage:  # noqa: D106 - float [C, H, W] -> mul(255).byte() -> RGB
        def __init__(self, *args, **kwargs):
            pass

        def __call__(self, picture):
            _Transforms.last_float = picture.detach().clone()  # for the "rounded" comparison; not used by their code
            array = picture.mul(255).byte().permute(1, 2, 0).numpy()
            return Image.fromarray(array, "RGB")

    last_float = None


def install_torchvision_shim():
    transforms = _Transforms()
    transforms.__path__ = []  # a package, so that `torchvision.transforms.functional` imports
    functional = types.ModuleType("torchvision.transforms.functional")

    def gaussian_blur(*args, **kwargs):  # their util imports it; only called with a float std, which no case uses
        raise NotImplementedError("torchvision.transforms.functional.gaussian_blur is not shimmed")
    functional.gaussian_blur = gaussian_blur
    transforms.functional = functional
    package = types.ModuleType("torchvision")
    package.transforms = transforms
    sys.modules["torchvision"] = package
    sys.modules["torchvision.transforms"] = transforms
    sys.modules["torchvision.transforms.functional"] = functional


def load_authors(checkout, model_dir, lora_path):
    install_torchvision_shim()  # P4
    src = os.path.join(checkout, "src")
    sys.path.insert(0, src)  # their module does `from util import ...`
    path = os.path.join(src, "model", "pipeline_semantic_draw_sdxl.py")
    spec = importlib.util.spec_from_file_location("authors_pipeline_semantic_draw_sdxl", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.hf_hub_download = lambda repo, filename, **kwargs: lora_path  # P2
    torch.manual_seed(0)  # their constructor encodes (samples) a 1024 x 1024 white latent: make it reproducible
    smd = module.SemanticDrawSDXLPipeline(torch.device("cpu"), dtype=torch.float32, hf_key=model_dir, has_i2t=False)  # P1-P3
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
            return vae.config.scaling_factor * vae.encode(2 * ones - 1).latent_dist.mode()
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
    smd.prepare_lightning_schedule(case.get("slots", [0, 4, 12, 25, 37]), 50)  # their documented way to set slots
    smd.white = smd.initial_white  # as a freshly constructed pipeline
    torch.manual_seed(case["seed"])  # their seed_everything(seed) on the CPU
    try:
        picture = smd(**kwargs)
    finally:
        smd.prepare_lightning_schedule([0, 4, 12, 25, 37], 50)
    as_returned = np.asarray(picture.convert("RGB"), dtype=np.uint8)
    rounded = _Transforms.last_float.mul(255).round().clamp(0, 255).byte().permute(1, 2, 0).numpy()
    return as_returned, rounded


def run_cli(binary, model_dir, lora_path, case, folder, output):
    command = [binary, "generate", "--model", model_dir, "--accelerator", "lightning", "--accelerator-lora", lora_path]
    run = subprocess.run(command + cli_options(case, folder) + ["--output", output], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"semantic-draw generate failed: {run.stderr}")
    return np.asarray(Image.open(output).convert("RGB"), dtype=np.uint8)


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

Diagnostic patch, applied to the fixture image of every case with bootstrapping (not their
behaviour; one of our documented choices):
{diagnostics}

Measured when the fixtures were written (our CLI against their image, levels of 255):

| case | as they return it: max / samples that differ | rounded: max / samples that differ | diagnostic patch | rounded + patch (the fixture) |
|---|---|---|---|---|
{results}
"""


def result_row(name, measured):
    """One row of the fixture README's table."""
    if "failure" in measured:
        return f"| {name} | their code fails: {measured['failure']} | - | - | - |"
    return (f"| {name} | {measured['max']} / {measured['differing']} of {measured['samples']} | "
            f"{measured['rounded_max']} / {measured['rounded_differing']} of {measured['samples']} | "
            f"{'+'.join(measured['diagnostics']) or '-'} | {measured['patched_max']} / {measured['patched_differing']} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--authors-checkout", required=True, help="checkout of sontyubo/semantic-draw (commit 98dab24)")
    parser.add_argument("--semantic-draw", required=True, help="the built semantic-draw executable")
    parser.add_argument("--case", action="append", help="run only these cases (repeatable)")
    parser.add_argument("--large", action="store_true", help="also run the large cases (%s)" % ", ".join(LARGE))
    parser.add_argument("--write-fixtures", action="store_true", help="write Tests/Fixtures/sdxl-authors/")
    args = parser.parse_args()
    names = args.case or [n for n in CASES if args.large or n not in LARGE]
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as scratch:
        folder = FIXTURES if args.write_fixtures else os.path.join(scratch, "fixtures")
        os.makedirs(folder, exist_ok=True)
        generate_fixtures = os.path.join(ROOT, "Tests", "Fixtures", "generate")
        for name in ("disc.png", "half.png", "background.png"):
            shutil.copyfile(os.path.join(generate_fixtures, name), os.path.join(folder, name))
        model_dir = os.path.join(scratch, "tiny-random-xl")
        subprocess.run([args.semantic_draw, "export", "tiny-random-xl", model_dir, "--force"], check=True, capture_output=True)
        lora_path = os.path.join(folder, LORA_NAME)
        make_lora(model_dir, lora_path)
        smd = load_authors(args.authors_checkout, model_dir, lora_path)
        cases, measured = {}, {}
        for name in names:
            case = CASES[name]
            ours = run_cli(args.semantic_draw, model_dir, lora_path, case, folder, os.path.join(scratch, f"{name}.ours.png"))
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
            if args.write_fixtures and name not in LARGE:
                Image.fromarray(patched).save(os.path.join(folder, f"{name}.png"))
            if name in LARGE:
                continue
            cases[name] = ["--model", "tiny-random-xl", "--accelerator", "lightning", "--accelerator-lora", LORA_NAME] + [
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
