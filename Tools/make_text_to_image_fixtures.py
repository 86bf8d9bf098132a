#!/usr/bin/env python3
"""Reference images for plain text-to-image: `semantic-draw generate` with one brush and no mask
(Tests/Fixtures/text-to-image).

    swift build --product semantic-draw
    .venv-reference/bin/python Tools/make_text_to_image_fixtures.py --semantic-draw .build/debug/semantic-draw

One `--prompt` without `--mask` is ordinary text-to-image (docs/GENERATE.md, docs/ALGORITHM.md §4
"Plain text-to-image"): the scheduler and slots of the preset, plain (guided) denoising of the
whole canvas, as the authors' pipeline routes prompts without masks to its `sample()`. The
reference here is diffusers' own pipeline, not our reference module: for each case it exports the
built-in model (`semantic-draw export tiny-random[-xl] DIR`), loads it with
`StableDiffusionPipeline` / `StableDiffusionXLPipeline.from_pretrained(DIR)`, sets the scheduler
the case's preset uses, and calls the pipeline with the prompt, negative prompt, size, guidance,
timesteps or step count and `generator=torch.Generator().manual_seed(seed)`, `output_type="pt"`;
the image is rounded to 8 bits (`round(255 * x)`) and saved as `<case>.png`. `cases.json` holds
each case's full `generate` options; Tests/SemanticDrawCLITests/TextToImageReproductionTests.swift
runs the CLI with them and compares pixels. The script also writes the folder's README.md.

Pinned versions (asserted): torch 2.13.0, diffusers 0.42.1, transformers 5.24.0.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_fixture_support import png_pixels, save_image, write_cases  # noqa: E402
from reference_pins import check as check_pins, describe  # noqa: E402

check_pins("torch", "diffusers", "transformers", "safetensors", "numpy")

from diffusers import (AutoencoderTiny, DDIMScheduler, EulerDiscreteScheduler, LCMScheduler,  # noqa: E402
                       StableDiffusionPipeline, StableDiffusionXLPipeline)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "text-to-image")
GRID = [999 - 20 * k for k in range(50)]  # the 50-step grid slots index (LCM's original_inference_steps 50)

# name -> case. "options": the generate options after --model; "scheduler": how diffusers is set up
# to run the preset the options select (docs/PRESETS.md); "call": the pipeline's keyword arguments.
CASES = {
    "lcm_default_slots": dict(
        model="tiny-random",
        options=["--prompt", "a cat on a sofa", "--width", "64", "--height", "48", "--seed", "1"],
        scheduler=("lcm", {}), taesd=False,
        call=dict(prompt="a cat on a sofa", height=48, width=64, timesteps=[GRID[k] for k in (0, 4, 12, 25, 37)],
                  guidance_scale=1.0),
        seed=1,
        covers="the default preset (lcm): LCMScheduler on the 5 default slots, no unconditional pass, the KL VAE"),
    "lcm_cfg_negative_taesd": dict(
        model="tiny-random",
        options=["--prompt", "a lighthouse at dusk", "--negative-prompt", "fog", "--guidance", "2.5",
                 "--slots", "0,12,25,37", "--tiny-vae", "tiny-random", "--width", "64", "--height", "48", "--seed", "5"],
        scheduler=("lcm", {}), taesd=True,
        call=dict(prompt="a lighthouse at dusk", negative_prompt="fog", height=48, width=64,
                  timesteps=[GRID[k] for k in (0, 12, 25, 37)], guidance_scale=2.5),
        seed=5,
        covers="classifier-free guidance with a negative prompt, explicit slots, decoding with TAESD"),
    "hyper_sd_ddim_trailing": dict(
        model="tiny-random",
        options=["--accelerator", "hyper-sd", "--steps", "2", "--prompt", "a red apple", "--width", "48", "--height", "64",
                 "--seed", "9"],
        scheduler=("ddim", dict(timestep_spacing="trailing")), taesd=False,
        call=dict(prompt="a red apple", height=64, width=48, num_inference_steps=2, guidance_scale=0.0),
        seed=9,
        covers="another scheduler: hyper-sd with 2 steps is DDIM \"trailing\" (eta 0, draws nothing after the "
               "initial latent), guidance 0 (tiny-random fuses no accelerator LoRA)"),
    "xl_lightning": dict(
        model="tiny-random-xl",
        options=["--prompt", "a red apple on a table", "--width", "64", "--height", "64", "--seed", "3"],
        scheduler=("euler", dict(timestep_spacing="trailing")), taesd=False,
        call=dict(prompt="a red apple on a table", height=64, width=64, timesteps=[GRID[k] for k in (0, 4, 12, 25, 37)],
                  guidance_scale=0.0),
        seed=3,
        covers="SDXL: the lightning preset's Euler \"trailing\" on the 5 default slots, guidance 0; both text encoders, pooled "
               "embedding and time ids (original = target = the canvas, crop 0, 0) as diffusers' SDXL pipeline"),
}


def make_scheduler(kind, config, overrides):
    if kind == "lcm":
        return LCMScheduler.from_config(config, **overrides)
    if kind == "ddim":
        return DDIMScheduler.from_config(config, **overrides)
    return EulerDiscreteScheduler.from_config(config, **overrides)


def load_pipeline(folder, model, case):
    if model == "tiny-random-xl":
        pipe = StableDiffusionXLPipeline.from_pretrained(folder, torch_dtype=torch.float32)
    else:
        pipe = StableDiffusionPipeline.from_pretrained(folder, torch_dtype=torch.float32, safety_checker=None,
                                                       requires_safety_checker=False)
    kind, overrides = case["scheduler"]
    pipe.scheduler = make_scheduler(kind, pipe.scheduler.config, overrides)
    if case["taesd"]:
        pipe.vae = AutoencoderTiny.from_pretrained(os.path.join(folder, "taesd")).eval()
    pipe.set_progress_bar_config(disable=True)
    return pipe


def run_case(folder, case):
    pipe = load_pipeline(folder, case["model"], case)
    with torch.no_grad():
        images = pipe(generator=torch.Generator().manual_seed(case["seed"]), output_type="pt", **case["call"]).images
    return png_pixels(images[0]), [int(t) for t in pipe.scheduler.timesteps]


def write_readme(rows):
    lines = [
        "# Plain text-to-image fixtures",
        "",
        "Written by `Tools/make_text_to_image_fixtures.py` (pinned reference environment, `Tools/setup-reference-env.sh`; "
        "this README is written by the script too):",
        "",
        "    swift build --product semantic-draw",
        "    .venv-reference/bin/python Tools/make_text_to_image_fixtures.py --semantic-draw .build/debug/semantic-draw",
        "",
        "Versions: %s." % describe("torch", "diffusers", "transformers"),
        "",
        "- `cases.json`: each case's full `semantic-draw generate` options (one `--prompt`, no `--mask`: plain "
        "text-to-image; the test adds `--output`).",
        "- `<case>.png`: the image diffusers' own `StableDiffusionPipeline` (`StableDiffusionXLPipeline` for "
        "tiny-random-xl) made from the exported built-in model (`semantic-draw export`), with the scheduler of the "
        "case's preset, the same prompt, negative prompt, size, guidance, timesteps and "
        "`generator=torch.Generator().manual_seed(seed)`, `output_type=\"pt\"`, rounded to 8 bits.",
        "",
        "`Tests/SemanticDrawCLITests/TextToImageReproductionTests.swift` runs the CLI with each case's options and "
        "compares pixels (at most 1 level of 255).",
        "",
        "| case | model | timesteps | what it covers |",
        "|---|---|---|---|",
    ]
    for name, case, timesteps in rows:
        lines.append("| `%s` | %s | %s | %s |" % (name, case["model"], timesteps, case["covers"]))
    with open(os.path.join(OUT, "README.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--semantic-draw", required=True, help="the built semantic-draw executable")
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    index, rows = {}, []
    with tempfile.TemporaryDirectory() as root:
        folders = {}
        for model in sorted({case["model"] for case in CASES.values()}):
            folders[model] = os.path.join(root, model)
            subprocess.run([args.semantic_draw, "export", model, folders[model], "--force"], check=True)
        for name, case in CASES.items():
            pixels, timesteps = run_case(folders[case["model"]], case)
            save_image(OUT, name, pixels)
            index[name] = ["--model", case["model"]] + case["options"]
            rows.append((name, case, timesteps))
            print(name, "done, timesteps", timesteps)
    write_cases(OUT, index)
    write_readme(rows)


if __name__ == "__main__":
    main()
