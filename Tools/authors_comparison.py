"""What Tools/compare_with_authors_sdxl.py and Tools/compare_with_authors_sd3.py share: the cases,
our `generate` options, the torchvision shim (P4), the diagnostic "white" patch, one run of their
pipeline and of our CLI per case, and the comparison loop that writes the fixtures
(Tests/Fixtures/sdxl-authors/ or sd3-authors/: the masks, the accelerator LoRA or adapter, their
image of every case, cases.json and README.md).

Each script describes what differs in a `Comparison` (the model, the accelerator and its LoRA or
adapter, how their pipeline is loaded and scheduled, the fixture README, the patches) and calls
`main(comparison)`. Both compare with sontyubo/semantic-draw at AUTHORS_COMMIT; their pipeline runs
on the CPU in float32, seeded as their demos seed it.
"""

import argparse
import dataclasses
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import types
from typing import Callable

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_with_authors  # noqa: E402
from compare_with_authors import load_mask, load_rgb, pixel_difference  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
AUTHORS_COMMIT = "98dab24"
DEFAULT_SLOTS = [0, 4, 12, 25, 37]  # their pipelines' default denoising slots of a 50-step schedule
GENERATE_FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "generate")
COPIED_FIXTURES = ("disc.png", "half.png", "background.png")  # from GENERATE_FIXTURES into the fixture folder

# The runtime patches both comparisons apply in the same words (each script lists its others).
PATCH_NO_BLIP = ("P1 has_i2t=False (a constructor argument): BLIP-2 is not loaded; every case passes a background "
                 "prompt when it has a background image.")
PATCH_TORCHVISION_SHIM = (
    "P4 `torchvision.transforms` is a shim with ToTensor (PIL -> float CHW / 255) and ToPILImage (float CHW -> "
    "`mul(255).byte()` -> RGB), the two torchvision functions their module calls, with torchvision's arithmetic.")

# The cases both comparisons run; name -> case: brushes (prompt, mask, std, alpha, strength, negative), options.
# Sizes from the masks (48 x 64 but for the tiled case). A script may add its own (SD3: four_steps).
SMALL_CASES = {
    "two_brushes": dict(  # their defaults: 5 slots, guidance 0, bootstrap 1 over the white background (case d)
        brushes=[dict(prompt="a red apple", mask="disc.png", std=2.0, strength=0.8),
                 dict(prompt="blue sky", mask="half.png", std=2.0)],
        seed=3),
    "full_cover": dict(  # the canvas covered: no background, no bootstrap
        brushes=[dict(prompt="a red apple", mask="left_48x64.png", std=0.0),
                 dict(prompt="blue sky", mask="right_48x64.png", std=0.0)],
        bootstrap=0, seed=7),
    "cfg_rescale": dict(  # guidance 2.5 with their guidance_rescale 0.7 (SD3: P6) and negative prompts
        brushes=[dict(prompt="a red apple", negative="worms", mask="left_48x64.png", std=0.0),
                 dict(prompt="blue sky", negative="clouds", mask="right_48x64.png", std=0.0)],
        guidance=2.5, bootstrap=0, seed=9),
    "background_prompt": dict(  # case (c): the background prompt generated as a region, 4 slots
        brushes=[dict(prompt="a tall tree", mask="disc.png", std=4.0)],
        background_prompt="a green meadow", slots=[0, 12, 25, 37], seed=11),
    "background_image": dict(  # case (a): a background image with its prompt, bootstrap mixing (SD3: P7 matters here)
        brushes=[dict(prompt="a boat", mask="half.png", std=4.0)],
        background_image="background.png", background_prompt="a lake", bootstrap=2, mix=1.5, seed=5),
}
# 1024 x 1088 px > tile 1024: two 1024-px views (128 latents) blended; SDXL's time ids carry each view's crop offset.
TILED_CASE = dict(
    brushes=[dict(prompt="a red apple", mask="left_1024x1088.png", std=0.0),
             dict(prompt="blue sky", mask="right_1024x1088.png", std=0.0)],
    bootstrap=0, slots=[0, 12, 25, 37], seed=13)

# The end of both fixture READMEs (a script's README template ends with its patches, "{patches}\n").
README_MEASUREMENTS = """
Diagnostic patch, applied to the fixture image of every case with bootstrapping (not their
behaviour; one of our documented choices):
{diagnostics}

Measured when the fixtures were written (our CLI against their image, levels of 255):

| case | as they return it: max / samples that differ | rounded: max / samples that differ | diagnostic patch | rounded + patch (the fixture) |
|---|---|---|---|---|
{results}
"""


@dataclasses.dataclass
class Comparison:
    """What differs between the SDXL and the SD3 comparison."""

    description: str  # the script's docstring: its --help text
    model: str  # the tiny model `semantic-draw export` writes (tiny-random-xl, tiny-random-sd3), named so in cases.json
    fixtures: str  # the fixture folder under Tests/Fixtures (sdxl-authors, sd3-authors)
    accelerator: str  # our --accelerator (lightning, flash)
    accelerator_name: str  # the LoRA file or adapter folder written into the fixture folder, our --accelerator-lora
    make_accelerator: Callable  # (model folder, path): writes the tiny random LoRA or adapter at path
    load_authors: Callable  # (checkout, model folder, accelerator path) -> their pipeline, patched
    prepare_schedule: Callable  # (their pipeline, slots): their documented way to set the slots of their 50-step schedule
    scale_latent: Callable  # (VAE, posterior mean) -> the latent as their VAE's latents are scaled (and shifted)
    cases: dict  # name -> case (SMALL_CASES and the script's own), in the order they run
    large: tuple  # cases run only with --large, and never written as fixtures
    patches: list  # the runtime patches on their side, printed and listed in the README
    diagnostics: dict  # the diagnostic patches, listed in the README
    readme: str  # the fixture README template: {commit}, {patches}, {diagnostics}, {results}


# ------------------------------------------------------------------------------------------------
# Both sides' inputs
# ------------------------------------------------------------------------------------------------


def mask_path(name, folder):
    """A PNG in `folder` (the fixture folder: disc, half and background are copied there), else one
    that compare_with_authors writes there (KIND_HxW.png)."""
    path = os.path.join(folder, name)
    return path if os.path.exists(path) else compare_with_authors.mask_path(name, folder)


def cli_options(case, folder):
    """Our generate options (paths relative to `folder`, the fixture folder); their pipelines' guidance
    defaults to 0."""
    return compare_with_authors.cli_options(case, folder, find_mask=mask_path, default_guidance=0.0)


# ------------------------------------------------------------------------------------------------
# Their side
# ------------------------------------------------------------------------------------------------


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
    """P4: installs `torchvision`, `torchvision.transforms` (the two transforms) and
    `torchvision.transforms.functional` (only what their util imports) in sys.modules."""
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


def import_authors_module(checkout, file_name):
    """Their pipeline module `src/model/<file_name>` of the checkout, imported as a file (with their
    `src` on sys.path: the module does `from util import ...`) under the name authors_<file stem>."""
    src = os.path.join(checkout, "src")
    sys.path.insert(0, src)
    path = os.path.join(src, "model", file_name)
    spec = importlib.util.spec_from_file_location("authors_" + os.path.splitext(file_name)[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def construct_authors(pipeline_class, model_dir):
    """Their pipeline with its constructor defaults but P1-P3 (CPU, float32, no BLIP-2, `hf_key` the
    tiny model), after seeding: their constructor encodes (samples) a 1024 x 1024 white latent, which
    this makes reproducible. Keeps that latent as `initial_white` for run_authors."""
    torch.manual_seed(0)
    smd = pipeline_class(torch.device("cpu"), dtype=torch.float32, hf_key=model_dir, has_i2t=False)  # P1-P3
    smd.initial_white = smd.white
    return smd


def apply_diagnostics(smd, names, scale_latent):
    """Diagnostic patches (not their behaviour; each one of our documented choices). "white": their
    get_white_background(H, W) returns the posterior mean of an H x W white image, scaled as their
    VAE's latents are (`scale_latent(vae, mean)`), instead of a crop of their constructor's sampled
    white latent; where they re-encode (and sample), it is unchanged. Without names, their own method."""
    cls = type(smd)
    smd.get_white_background = types.MethodType(cls.get_white_background, smd)
    if "white" in names:
        def white_mean(self, height, width):
            if self.white.shape[-2] < height or self.white.shape[-1] < width:
                return cls.get_white_background(self, height, width)  # their re-encoding (a sample), unchanged
            vae = self.vae
            ones = torch.ones(1, 3, height, width, dtype=self.dtype, device=self.device)
            return scale_latent(vae, vae.encode(2 * ones - 1).latent_dist.mode())
        smd.get_white_background = types.MethodType(white_mean, smd)


def run_authors(comparison, smd, case, folder, diagnostics=()):
    """Their image of `case` (masks from `folder`), seeded with the case's seed right before the call
    and starting from their constructor's white latent, as a freshly constructed pipeline would:
    (as their pipeline returns it, their float image rounded to nearest), both uint8 H x W x 3.
    `comparison.prepare_schedule` sets the case's denoising slots of their 50-step schedule, unless
    the case sets `steps` (their own n-step schedule), and resets DEFAULT_SLOTS afterwards.
    `diagnostics`: see apply_diagnostics (with `comparison.scale_latent`)."""
    prepare_schedule = comparison.prepare_schedule
    apply_diagnostics(smd, diagnostics, comparison.scale_latent)
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
        prepare_schedule(smd, case.get("slots", DEFAULT_SLOTS))
    smd.white = smd.initial_white  # as a freshly constructed pipeline
    torch.manual_seed(case["seed"])  # their seed_everything(seed) on the CPU
    try:
        picture = smd(**kwargs)
    finally:
        prepare_schedule(smd, DEFAULT_SLOTS)
    as_returned = np.asarray(picture.convert("RGB"), dtype=np.uint8)
    rounded = _Transforms.last_float.mul(255).round().clamp(0, 255).byte().permute(1, 2, 0).numpy()
    return as_returned, rounded


# ------------------------------------------------------------------------------------------------
# Our side
# ------------------------------------------------------------------------------------------------


def run_cli(binary, model_dir, accelerator, accelerator_path, case, folder, output):
    """Our image of `case`: `semantic-draw generate` with the accelerator and its LoRA or adapter,
    written to `output` and read back as uint8 H x W x 3."""
    command = [binary, "generate", "--model", model_dir, "--accelerator", accelerator, "--accelerator-lora", accelerator_path]
    run = subprocess.run(command + cli_options(case, folder) + ["--output", output], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"semantic-draw generate failed: {run.stderr}")
    return np.asarray(Image.open(output).convert("RGB"), dtype=np.uint8)


# ------------------------------------------------------------------------------------------------


def result_row(name, measured):
    """One row of the fixture README's table."""
    if "failure" in measured:
        return f"| {name} | their code fails: {measured['failure']} | - | - | - |"
    return (f"| {name} | {measured['max']} / {measured['differing']} of {measured['samples']} | "
            f"{measured['rounded_max']} / {measured['rounded_differing']} of {measured['samples']} | "
            f"{'+'.join(measured['diagnostics']) or '-'} | {measured['patched_max']} / {measured['patched_differing']} |")


def write_fixture_files(comparison, folder, cases, measured):
    """cases.json (our options per case) and README.md (the comparison's template, filled in)."""
    with open(os.path.join(folder, "cases.json"), "w") as handle:
        json.dump(cases, handle, indent=1)
    with open(os.path.join(folder, "README.md"), "w") as handle:
        handle.write(comparison.readme.format(
            commit=AUTHORS_COMMIT, patches="\n".join("- " + p for p in comparison.patches),
            diagnostics="\n".join(f"- {k}: {v}" for k, v in comparison.diagnostics.items()),
            results="\n".join(result_row(n, m) for n, m in measured.items())))


def main(comparison):
    """The command line of both scripts: export the tiny model, write the LoRA or adapter, load their
    pipeline, then per case run ours and theirs (as returned, rounded, and rounded with the white
    diagnostic where the case bootstraps), print the pixel differences, and with --write-fixtures
    write Tests/Fixtures/<comparison.fixtures>/ (every case but the large ones)."""
    parser = argparse.ArgumentParser(description=comparison.description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--authors-checkout", required=True, help="checkout of sontyubo/semantic-draw (commit 98dab24)")
    parser.add_argument("--semantic-draw", required=True, help="the built semantic-draw executable")
    parser.add_argument("--case", action="append", help="run only these cases (repeatable)")
    parser.add_argument("--large", action="store_true", help="also run the large cases (%s)" % ", ".join(comparison.large))
    parser.add_argument("--write-fixtures", action="store_true", help=f"write Tests/Fixtures/{comparison.fixtures}/")
    args = parser.parse_args()
    names = args.case or [n for n in comparison.cases if args.large or n not in comparison.large]
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as scratch:
        fixtures = os.path.join(ROOT, "Tests", "Fixtures", comparison.fixtures)
        folder = fixtures if args.write_fixtures else os.path.join(scratch, "fixtures")
        os.makedirs(folder, exist_ok=True)
        for name in COPIED_FIXTURES:
            shutil.copyfile(os.path.join(GENERATE_FIXTURES, name), os.path.join(folder, name))
        model_dir = os.path.join(scratch, comparison.model)
        subprocess.run([args.semantic_draw, "export", comparison.model, model_dir, "--force"], check=True, capture_output=True)
        accelerator_path = os.path.join(folder, comparison.accelerator_name)
        comparison.make_accelerator(model_dir, accelerator_path)
        smd = comparison.load_authors(args.authors_checkout, model_dir, accelerator_path)
        cases, measured = {}, {}
        for name in names:
            case = comparison.cases[name]
            ours = run_cli(args.semantic_draw, model_dir, comparison.accelerator, accelerator_path, case, folder,
                           os.path.join(scratch, f"{name}.ours.png"))
            diagnostics = ("white",) if case.get("bootstrap", 1) > 0 else ()
            try:
                theirs, rounded = run_authors(comparison, smd, case, folder)
                patched = run_authors(comparison, smd, case, folder, diagnostics)[1] if diagnostics else rounded
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
            if name in comparison.large:
                continue
            if args.write_fixtures:
                Image.fromarray(patched).save(os.path.join(folder, f"{name}.png"))
            cases[name] = ["--model", comparison.model, "--accelerator", comparison.accelerator,
                           "--accelerator-lora", comparison.accelerator_name] + [
                o.replace(folder + os.sep, "") for o in cli_options(case, folder)]
            measured[name] = dict(max=worst, differing=differing, samples=total, rounded_max=rounded_worst,
                                  rounded_differing=rounded_differing, patched_max=patched_worst,
                                  patched_differing=patched_differing, diagnostics=diagnostics)
        if args.write_fixtures:
            write_fixture_files(comparison, folder, cases, measured)
    print("authors' code:", AUTHORS_COMMIT, "| runtime patches:")
    for patch in comparison.patches:
        print("  " + patch)
