#!/usr/bin/env python3
"""Compare `semantic-draw generate --seed S` with the authors' one-shot pipeline (CPU, float32).

    python Tools/compare_with_authors.py --authors-checkout DIR --semantic-draw .build/debug/semantic-draw

DIR is a checkout of the authors' repository (GitHub ironjr/StreamMultiDiffusion; checked against
commit c2876e0cbab6134fa1e4b6e4e02ade906fd2aef6, the last change of
src/model/stablemultidiffusion_pipeline.py, with src/util.py in the version that has `load_model`
and `blend(..., std=0.0)`). This file contains none of their code: it imports
`src/model/stablemultidiffusion_pipeline.py` (class `StableMultiDiffusionPipeline`) from the
checkout and applies the runtime patches listed in PATCHES below, each needed only to run it
offline on the CPU with the tiny-random model; no numeric step of theirs is changed.

Both sides run the same cases on the tiny-random model (`semantic-draw export tiny-random`,
64 x 48 px): the same mask PNGs (Tests/Fixtures/generate), prompts, options and seed. Their side
seeds PyTorch's global generator with `torch.manual_seed(seed)` right before the call (as their
demos' `seed_everything` does), float32, CPU. Printed per case: the pixel difference between our
CLI's PNG and theirs (max |difference| in levels of 255 and how many of the H*W*3 samples differ),
and the same after two *diagnostic* patches that apply two of our documented choices to their
code (DIAGNOSTICS below) to show which choice explains a difference. With --reference, our pinned
Python reference (Tools/reference_semantic_draw.py) runs too and its final latent is compared with
theirs. docs/REPRODUCTION.md has the results and the explanation of every difference.

Environment: the pinned reference environment (torch 2.13.0 CPU, diffusers 0.42.1, transformers
5.24.0; Tools/setup-reference-env.sh) plus what their code imports: torchvision (transforms only)
and einops. Their pipeline module also imports tqdm and PIL.
"""

import argparse
import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import traceback
import types

import numpy as np
import torch
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "generate")
AUTHORS_COMMIT = "c2876e0cbab6134fa1e4b6e4e02ade906fd2aef6"
W, H = 64, 48  # the fixture masks' size; a case may set "size": (height, width)

PATCHES = [
    "P1 BLIP-2 (Salesforce/blip2-opt-2.7b) is not loaded: their constructor loads it only to caption a background "
    "image given without a prompt; every case passes a prompt (case (b) passes background_prompt='', our caption).",
    "P2 the model is the local tiny-random folder, passed as their `hf_key`; `pipe.load_lora_weights` is a no-op "
    "(their SD1.5 branch always loads latent-consistency/lcm-lora-sdv1-5; tiny-random has no LCM-LoRA and "
    "`generate --model tiny-random` uses none either).",
    "P3 device='cpu', dtype=torch.float32 (constructor arguments); their `torch.autocast('cuda')` then only warns.",
    "P4 instrumentation only: the latent passed to decode_latents, the float image passed to ToPILImage and every "
    "torch.randn/randn_like call are recorded (values untouched).",
]
DIAGNOSTICS = {
    "mean": "encode_imgs returns the posterior mean (latent_dist.mode()) instead of latent_dist.sample() - "
            "our Decision (docs/ALGORITHM.md §4 random numbers); removes their extra generator draws",
    "white": "get_white_background(H, W) returns the encoding of an H x W white image instead of the top-left crop "
             "of the 768 x 768 white latent their constructor caches (our R8)",
}

# name -> case. Brushes: prompt, mask (PNG in Tests/Fixtures/generate or written here), std, alpha, strength,
# negative. "decisions": what is expected to make the two sides differ (see docs/REPRODUCTION.md).
CASES = {
    "two_brushes": dict(
        brushes=[dict(prompt="a red apple", mask="disc.png", std=2.0, strength=0.8),
                 dict(prompt="blue sky", negative="clouds", mask="half.png", std=2.0)],
        seed=3),
    "cfg_background_prompt": dict(  # the fixture case without --tiny-vae (their one-shot has no TAESD path)
        brushes=[dict(prompt="a tall tree", mask="disc.png", alpha=0.9)],
        background_prompt="a green meadow", background_negative="snow", guidance=2.0, bootstrap=2, mix=1.5,
        seed=11),
    "background_image_slots": dict(
        brushes=[dict(prompt="a boat", mask="half.png", std=4.0)],
        background_image="background.png", slots=[0, 12, 25, 37], seed=5),
    "full_cover": dict(  # Decision-free but for the skipped unconditional pass at guidance 1
        brushes=[dict(prompt="a red apple", mask="left_48x64.png", std=0.0),
                 dict(prompt="blue sky", mask="half.png", std=0.0)],
        bootstrap=0, seed=7),
    "full_cover_cfg": dict(  # no Decision applies at all
        brushes=[dict(prompt="a red apple", negative="worms", mask="left_48x64.png", std=0.0),
                 dict(prompt="blue sky", negative="clouds", mask="half.png", std=0.0)],
        guidance=2.5, bootstrap=0, seed=7),
    "full_cover_boot": dict(  # + bootstrapping: only the white latent enters (leak suppression)
        brushes=[dict(prompt="a red apple", negative="worms", mask="left_48x64.png", std=0.0),
                 dict(prompt="blue sky", negative="clouds", mask="half.png", std=0.0)],
        guidance=2.5, bootstrap=1, seed=7),
    "full_cover_slots": dict(  # 4 slots, CFG, the fixture disc mask over a full-canvas brush
        brushes=[dict(prompt="a green meadow", mask="full_48x64.png", std=0.0),
                 dict(prompt="a red apple", negative="worms", mask="disc.png", std=0.0)],
        guidance=2.0, bootstrap=0, slots=[0, 12, 25, 37], seed=9),
    "full_cover_mix": dict(  # bootstrap 2, mix 1.5 without a background latent: the bootstrapping Decision
        brushes=[dict(prompt="a red apple", negative="worms", mask="left_48x64.png", std=0.0),
                 dict(prompt="blue sky", negative="clouds", mask="half.png", std=0.0)],
        guidance=2.5, bootstrap=2, mix=1.5, seed=7),
    "tiled_cfg": dict(  # 784 x 800 px > tile 768: 2 x 2 views of 96 x 96 latents; no Decision applies
        brushes=[dict(prompt="a red apple", negative="worms", mask="left_784x800.png", std=0.0),
                 dict(prompt="blue sky", negative="clouds", mask="right_784x800.png", std=0.0)],
        guidance=2.0, bootstrap=0, slots=[0, 12, 25, 37], seed=13, size=(784, 800)),
    "tiled_boot": dict(  # the same views with a background (case (d)), blur, bootstrapping and centring per view
        brushes=[dict(prompt="a red apple", mask="disc_784x800.png", std=8.0)],
        slots=[0, 12, 25, 37], seed=17, size=(784, 800)),
    "zero_views": dict(  # 48 x 1024 px: the height (6 latents) is shorter than the 96-latent window
        brushes=[dict(prompt="a red apple", mask="left_48x1024.png", std=0.0),
                 dict(prompt="blue sky", mask="right_48x1024.png", std=0.0)],
        bootstrap=0, slots=[0, 12, 25, 37], seed=19, size=(48, 1024)),
    "size_512": dict(  # a usual size, case (d) with bootstrapping: shows their posterior-sample draws
        brushes=[dict(prompt="a red apple", mask="disc_512x512.png")],
        seed=23, size=(512, 512)),
}
LARGE = ("tiled_cfg", "tiled_boot", "zero_views", "size_512")  # minutes each on a CPU (our debug CLI + 3 runs of theirs)


def mask_path(name, folder):
    """A fixture PNG (Tests/Fixtures/generate) or one written here: KIND_HxW.png, KIND in left (x < W/2),
    right (x >= W/2, at 64 x 48 the same as half.png), full, disc (centred, radius min(H, W)/4)."""
    if os.path.exists(os.path.join(FIXTURES, name)):
        return os.path.join(FIXTURES, name)
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        kind, size = name[:-4].split("_")
        height, width = (int(v) for v in size.split("x"))
        y, x = np.mgrid[0:height, 0:width]
        inside = {"left": x < width // 2, "right": x >= width // 2, "full": np.ones((height, width), bool),
                  "disc": (y - height / 2) ** 2 + (x - width / 2) ** 2 < (min(height, width) / 4) ** 2}[kind]
        Image.fromarray(np.where(inside, 255, 0).astype(np.uint8), "L").save(path)
    return path


def case_size(case):
    return case.get("size", (H, W))


def load_mask(path):
    return torch.from_numpy(np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255.0)


def load_rgb(path):
    return torch.from_numpy(np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0)


def cli_options(case, folder, find_mask=None, default_guidance=1.0):
    """Our generate options for `case`, mask paths as `find_mask(name, folder)` gives them (by default
    mask_path above) and `default_guidance` where the case sets none (their SD1.5 pipeline's 1; the SDXL
    and SD3 comparisons, Tools/authors_comparison.py, pass their pipelines' 0). Only SD1.5 cases set
    `background_negative`, only SD3's set `steps`."""
    find_mask = find_mask or mask_path
    options = []
    for b in case["brushes"]:
        options += ["--prompt", b["prompt"], "--mask", find_mask(b["mask"], folder),
                    "--mask-std", repr(float(b.get("std", 1.0))), "--mask-alpha", repr(float(b.get("alpha", 1.0))),
                    "--prompt-strength", repr(float(b.get("strength", 1.0)))]
        if "negative" in b:
            options += ["--negative-prompt", b["negative"]]
    if "background_image" in case:
        options += ["--background-image", find_mask(case["background_image"], folder)]
    if "background_prompt" in case:
        options += ["--background-prompt", case["background_prompt"]]
    if "background_negative" in case:
        options += ["--background-negative-prompt", case["background_negative"]]
    options += ["--guidance", repr(float(case.get("guidance", default_guidance))),
                "--bootstrap-steps", str(case.get("bootstrap", 1)), "--bootstrap-mix", repr(float(case.get("mix", 1.0))),
                "--seed", str(case["seed"])]
    if "slots" in case:
        options += ["--slots", ",".join(str(s) for s in case["slots"])]
    if "steps" in case:
        options += ["--steps", str(case["steps"])]
    return options


# ------------------------------------------------------------------------------------------------
# Their side
# ------------------------------------------------------------------------------------------------


class _NotLoaded:
    """P1: stands in for Blip2Processor / Blip2ForConditionalGeneration."""

    @staticmethod
    def from_pretrained(*args, **kwargs):
        return None


class _Recorder:
    def __init__(self):
        self.latents, self.images, self.draws = [], [], []


class _RecordingTransforms(types.ModuleType):
    """P4: torchvision.transforms with ToPILImage recording its (float) input."""

    def __init__(self, real, recorder):
        super().__init__("recording_transforms")
        self._real, self._recorder = real, recorder

    def __getattr__(self, name):
        return getattr(self._real, name)

    def ToPILImage(self, *args, **kwargs):  # noqa: N802 - the name their code calls
        convert = self._real.ToPILImage(*args, **kwargs)

        def record(picture):
            self._recorder.images.append(picture.detach().clone())
            return convert(picture)
        return record


@contextlib.contextmanager
def recording_draws(recorder):
    """P4: log the shape of every torch.randn / torch.randn_like call (diffusers' posterior sample uses torch.randn)."""
    randn, randn_like = torch.randn, torch.randn_like

    def logged_randn(*args, **kwargs):
        out = randn(*args, **kwargs)
        recorder.draws.append(("randn", tuple(out.shape)))
        return out

    def logged_randn_like(x, *args, **kwargs):
        out = randn_like(x, *args, **kwargs)
        recorder.draws.append(("randn_like", tuple(out.shape)))
        return out
    torch.randn, torch.randn_like = logged_randn, logged_randn_like
    try:
        yield
    finally:
        torch.randn, torch.randn_like = randn, randn_like


def load_authors(checkout, model_dir):
    src = os.path.join(checkout, "src")
    sys.path.insert(0, src)  # their module does `from util import ...`
    path = os.path.join(src, "model", "stablemultidiffusion_pipeline.py")
    # Loaded as a file, not as `model.…`: src/model/__init__.py imports every other pipeline (SDXL, SD3, stream).
    spec = importlib.util.spec_from_file_location("authors_stablemultidiffusion_pipeline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    recorder = _Recorder()
    module.Blip2Processor = _NotLoaded  # P1
    module.Blip2ForConditionalGeneration = _NotLoaded  # P1
    real_pipeline = module.DiffusionPipeline

    class LocalPipeline:  # P2
        @staticmethod
        def from_pretrained(*args, **kwargs):
            pipe = real_pipeline.from_pretrained(*args, **kwargs)
            pipe.load_lora_weights = lambda *a, **k: None
            return pipe
    module.DiffusionPipeline = LocalPipeline
    module.T = _RecordingTransforms(module.T, recorder)  # P4
    util = sys.modules["util"]
    util.T = _RecordingTransforms(util.T, recorder)  # P4 (their blend converts with ToPILImage too)
    torch.manual_seed(0)  # their constructor encodes (samples) a 768 x 768 white latent: make it reproducible
    smd = module.StableMultiDiffusionPipeline(torch.device("cpu"), dtype=torch.float32, hf_key=model_dir)  # P2, P3
    real_decode = smd.decode_latents

    def decode(latents, vae=None):  # P4
        recorder.latents.append(latents.detach().clone())
        return real_decode(latents, vae)
    smd.decode_latents = decode
    smd.initial_white = smd.white
    return smd, recorder


def apply_diagnostics(smd, names):
    """Diagnostic patches (not their behaviour; each one of our documented choices)."""
    cls = type(smd)
    smd.encode_imgs = types.MethodType(cls.encode_imgs, smd)
    smd.get_white_background = types.MethodType(cls.get_white_background, smd)
    if "mean" in names:
        def encode_mean(self, imgs, generator=None, vae=None):
            vae = self.vae if vae is None else vae
            return vae.config.scaling_factor * vae.encode(2 * imgs - 1).latent_dist.mode()
        smd.encode_imgs = types.MethodType(encode_mean, smd)
    if "white" in names:
        def white_at_size(self, height, width):
            return self.encode_imgs(torch.ones(1, 3, height, width, dtype=self.dtype, device=self.device))
        smd.get_white_background = types.MethodType(white_at_size, smd)


def run_authors(smd, recorder, case, folder, diagnostics=()):
    apply_diagnostics(smd, diagnostics)
    brushes = case["brushes"]
    kwargs = dict(
        prompts=[b["prompt"] for b in brushes], negative_prompts=[b.get("negative", "") for b in brushes],
        masks=torch.stack([load_mask(mask_path(b["mask"], folder)) for b in brushes])[:, None],  # 1 = inside
        mask_stds=[float(b.get("std", 1.0)) for b in brushes], mask_strengths=[float(b.get("alpha", 1.0)) for b in brushes],
        prompt_strengths=[float(b.get("strength", 1.0)) for b in brushes],
        height=case_size(case)[0], width=case_size(case)[1], guidance_scale=float(case.get("guidance", 1.0)),
        bootstrap_steps=int(case.get("bootstrap", 1)), boostrap_mix_steps=float(case.get("mix", 1.0)))
    if "background_image" in case:
        kwargs["background"] = load_rgb(mask_path(case["background_image"], folder)).permute(2, 0, 1)[None]
        kwargs["background_prompt"] = case.get("background_prompt", "")  # '' = our case (b) caption; P1
    elif "background_prompt" in case:
        kwargs["background_prompt"] = case["background_prompt"]
    if "background_negative" in case:
        kwargs["background_negative_prompt"] = case["background_negative"]
    smd.prepare_lcm_schedule(case.get("slots", [0, 4, 12, 25, 37]), 50)  # their documented way to set slots
    # Their white latent is a cache that a larger canvas replaces (get_white_background); start every case from
    # the one their constructor made, as a freshly constructed pipeline would.
    smd.white = smd.initial_white
    recorder.latents.clear(); recorder.images.clear(); recorder.draws.clear()
    torch.manual_seed(case["seed"])  # their seed_everything(seed) on the CPU
    try:
        with recording_draws(recorder):
            picture = smd(**kwargs)
    except Exception as error:  # noqa: BLE001 - reported, e.g. their case (c) assertion
        where = traceback.extract_tb(error.__traceback__)[-1]
        return dict(error=f"{type(error).__name__} at their line {where.lineno}: {where.line}", draws=list(recorder.draws))
    finally:
        smd.prepare_lcm_schedule([0, 4, 12, 25, 37], 50)
    return dict(pixels=np.asarray(picture.convert("RGB"), dtype=np.uint8), latent=recorder.latents[-1],
                image=recorder.images[-1], draws=list(recorder.draws))


# ------------------------------------------------------------------------------------------------
# Our side
# ------------------------------------------------------------------------------------------------


def run_cli(binary, case, folder, name):
    output = os.path.join(folder, f"{name}.png")
    run = subprocess.run([binary, "generate", "--model", "tiny-random"] + cli_options(case, folder) + ["--output", output],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"semantic-draw generate failed for {name}: {run.stderr}")
    return np.asarray(Image.open(output).convert("RGB"), dtype=np.uint8)


def run_reference(model_dir, case, folder):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import reference_semantic_draw as ref
    from diffusers import AutoencoderKL, LCMScheduler, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer
    parts = dict(tokenizer=CLIPTokenizer.from_pretrained(model_dir, subfolder="tokenizer"),
                 text_encoder=CLIPTextModel.from_pretrained(model_dir, subfolder="text_encoder").eval(),
                 unet=UNet2DConditionModel.from_pretrained(model_dir, subfolder="unet").eval(),
                 vae=AutoencoderKL.from_pretrained(model_dir, subfolder="vae").eval())
    brushes = [dict(prompt=b["prompt"], negative_prompt=b.get("negative", ""), mask=load_mask(mask_path(b["mask"], folder)),
                    mask_std=float(b.get("std", 1.0)), mask_alpha=float(b.get("alpha", 1.0)),
                    prompt_strength=float(b.get("strength", 1.0))) for b in case["brushes"]]
    kwargs = dict(guidance=float(case.get("guidance", 1.0)), bootstrap_steps=int(case.get("bootstrap", 1)),
                  bootstrap_mix=float(case.get("mix", 1.0)))
    if "slots" in case:
        kwargs["slots"] = case["slots"]
    if "background_image" in case:
        kwargs["background_image"] = load_rgb(mask_path(case["background_image"], folder))
    if "background_prompt" in case:
        kwargs["background_prompt"] = case["background_prompt"]
    if "background_negative" in case:
        kwargs["background_negative_prompt"] = case["background_negative"]
    result = ref.generate(parts["unet"], parts["vae"], parts["text_encoder"], parts["tokenizer"], "lcm",
                          LCMScheduler.from_pretrained(model_dir, subfolder="scheduler"), brushes=brushes,
                          height=case_size(case)[0], width=case_size(case)[1], generator=torch.Generator().manual_seed(case["seed"]), **kwargs)
    return dict(latent=result.latent, image=result.image[0], draws=[(p["purpose"], tuple(p["shape"])) for p in result.noise.purposes])


# ------------------------------------------------------------------------------------------------


def pixel_difference(a, b):
    d = np.abs(a.astype(np.int64) - b.astype(np.int64))
    return int(d.max()), int((d > 0).sum()), int(d.size)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--authors-checkout", required=True, help="checkout of ironjr/StreamMultiDiffusion")
    parser.add_argument("--semantic-draw", required=True, help="the built semantic-draw executable")
    parser.add_argument("--case", action="append", help="run only these cases (repeatable)")
    parser.add_argument("--large", action="store_true", help="also run the large cases: " + ", ".join(LARGE))
    parser.add_argument("--reference", action="store_true", help="also run Tools/reference_semantic_draw.py (latent level)")
    parser.add_argument("--keep", help="write both sides' PNGs into this folder")
    parser.add_argument("--json", help="write the results as JSON")
    args = parser.parse_args()
    names = args.case or [name for name in CASES if args.large or name not in LARGE]
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        model_dir = os.path.join(folder, "tiny-random")
        subprocess.run([args.semantic_draw, "export", "tiny-random", model_dir, "--force"], check=True,
                       capture_output=True)
        smd, recorder = load_authors(args.authors_checkout, model_dir)
        for name in names:
            case = CASES[name]
            ours = run_cli(args.semantic_draw, case, folder, name)
            row = dict(options=[o.replace(folder + os.sep, "") for o in cli_options(case, folder)])
            reference = run_reference(model_dir, case, folder) if args.reference else None
            if reference is not None:
                row["reference_draws"] = reference["draws"]
                ref_pixels = (reference["image"].permute(1, 2, 0).clamp(0, 1) * 255).round().to(torch.uint8).numpy()
                row["reference_vs_cli"] = pixel_difference(ours, ref_pixels)[:2]
            for label, diagnostics in (("raw", ()), ("mean", ("mean",)), ("mean+white", ("mean", "white"))):
                theirs = run_authors(smd, recorder, case, folder, diagnostics)
                if "error" in theirs:
                    row[label] = dict(error=theirs["error"], draws=theirs["draws"])
                    continue
                worst, differing, total = pixel_difference(ours, theirs["pixels"])
                # Their float image rounded to nearest, as our PNG writer does (they truncate with ToPILImage).
                rounded = (theirs["image"].permute(1, 2, 0).clamp(0, 1) * 255).round().to(torch.uint8).numpy()
                r_worst, r_differing, _ = pixel_difference(ours, rounded)
                row[label] = dict(max=worst, differing=differing, samples=total, rounded_max=r_worst,
                                  rounded_differing=r_differing, draws=theirs["draws"])
                if reference is not None:
                    row[label]["latent_max_abs"] = float((reference["latent"] - theirs["latent"]).abs().max())
                    row[label]["latent_scale"] = float(reference["latent"].abs().max())
                if args.keep:
                    os.makedirs(args.keep, exist_ok=True)
                    Image.fromarray(theirs["pixels"]).save(os.path.join(args.keep, f"{name}.authors-{label}.png"))
            if args.keep:
                Image.fromarray(ours).save(os.path.join(args.keep, f"{name}.semantic-draw.png"))
            results[name] = row
            cells = []
            for label in ("raw", "mean", "mean+white"):
                cell = row[label]
                if "error" in cell:
                    cells.append(f"{label}: {cell['error']}")
                else:
                    text = f"{label}: max {cell['max']}, {cell['differing']}/{cell['samples']} differ"
                    text += f" (rounded: max {cell['rounded_max']}, {cell['rounded_differing']})"
                    if "latent_max_abs" in cell:
                        text += f" latent |d| {cell['latent_max_abs']:.3g} of {cell['latent_scale']:.3g}"
                    cells.append(text)
            cells.append("their draws (raw): " + ", ".join(f"{kind} {'x'.join(map(str, shape))}" for kind, shape in row["raw"]["draws"]))
            if reference is not None:
                cells.append("our draws: " + ", ".join(f"{kind} {'x'.join(map(str, shape))}" for kind, shape in reference["draws"]))
                cells.append(f"reference vs CLI: max {row['reference_vs_cli'][0]}, {row['reference_vs_cli'][1]} differ")
            print(f"{name}:\n  " + "\n  ".join(cells), flush=True)
    print("authors' code:", AUTHORS_COMMIT, "| runtime patches:")
    for patch in PATCHES:
        print("  " + patch)
    print("diagnostic patches (columns 'mean', 'mean+white'):")
    for key, text in DIAGNOSTICS.items():
        print(f"  {key}: {text}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=1, default=str)


if __name__ == "__main__":
    main()
