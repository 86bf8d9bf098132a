#!/usr/bin/env python3
"""Reference images for `semantic-draw generate` end to end (Tests/Fixtures/generate).

    swift build --product semantic-draw
    .venv-reference/bin/python Tools/make_generate_fixtures.py --semantic-draw .build/debug/semantic-draw

For each case in CASES it runs the pinned Python reference (Tools/reference_semantic_draw.py,
docs/ALGORITHM.md §2-§4 over diffusers) on the tiny-random model that `semantic-draw export
tiny-random` writes, with the mask PNGs written here, text prompts through transformers'
CLIPTokenizer, and noise from `torch.Generator().manual_seed(seed)` (the random-number contract),
and saves the image as `<case>.png` (uint8, round to nearest). `cases.json` holds each case's
`generate` options; the Swift test runs the CLI with them and compares pixels. So the whole path
- options, palette, PNG masks, tokenizer, seed, model, pipeline, decode, PNG - is checked
against PyTorch, not just the library.

Pinned versions (asserted by the reference module): torch 2.13.0, diffusers 0.42.1, transformers 5.24.0.
"""

import argparse
import os
import sys
import tempfile

import torch
from diffusers import AutoencoderKL, AutoencoderTiny, LCMScheduler, UNet2DConditionModel
from transformers import CLIPTextModel, CLIPTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_fixture_support as fixtures  # noqa: E402
import reference_semantic_draw as ref  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "generate")

# name -> (generate options, reference keyword arguments, seed)
CASES = {
    "two_brushes": dict(
        options=["--mask-std", "2", "--prompt", "a red apple", "--mask", "disc.png", "--prompt-strength", "0.8",
                 "--prompt", "blue sky", "--negative-prompt", "clouds", "--mask", "half.png", "--seed", "3"],
        brushes=[dict(prompt="a red apple", mask="disc.png", mask_std=2.0, prompt_strength=0.8),
                 dict(prompt="blue sky", negative_prompt="clouds", mask="half.png", mask_std=2.0)],
        kwargs=dict(), seed=3, taesd=False),
    "cfg_background_prompt_taesd": dict(
        options=["--prompt", "a tall tree", "--mask", "disc.png", "--mask-alpha", "0.9", "--background-prompt", "a green meadow",
                 "--background-negative-prompt", "snow", "--guidance", "2", "--bootstrap-steps", "2", "--bootstrap-mix", "1.5",
                 "--tiny-vae", "tiny-random", "--seed", "11"],
        brushes=[dict(prompt="a tall tree", mask="disc.png", mask_alpha=0.9)],
        kwargs=dict(background_prompt="a green meadow", background_negative_prompt="snow", guidance=2.0,
                    bootstrap_steps=2, bootstrap_mix=1.5), seed=11, taesd=True),
    "background_image_slots": dict(
        options=["--prompt", "a boat", "--mask", "half.png", "--mask-std", "4", "--background-image", "background.png",
                 "--slots", "0,12,25,37", "--seed", "5"],
        brushes=[dict(prompt="a boat", mask="half.png", mask_std=4.0)],
        kwargs=dict(background_image="background.png", slots=[0, 12, 25, 37]), seed=5, taesd=False),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--semantic-draw", required=True, help="the built semantic-draw executable")
    args = parser.parse_args()
    ref.check_versions()
    fixtures.write_inputs(OUT)
    with tempfile.TemporaryDirectory() as folder:
        fixtures.export_tiny_random(args.semantic_draw, folder)
        tokenizer = CLIPTokenizer.from_pretrained(folder, subfolder="tokenizer")
        text_encoder = CLIPTextModel.from_pretrained(folder, subfolder="text_encoder").eval()
        unet = UNet2DConditionModel.from_pretrained(folder, subfolder="unet").eval()
        vae = AutoencoderKL.from_pretrained(folder, subfolder="vae").eval()
        taesd = AutoencoderTiny.from_pretrained(os.path.join(folder, "taesd")).eval()
        index = {}
        for name, case in CASES.items():
            brushes, kwargs = fixtures.reference_arguments(OUT, case)
            scheduler = LCMScheduler.from_pretrained(folder, subfolder="scheduler")
            result = ref.generate(unet, taesd if case["taesd"] else vae, text_encoder, tokenizer, "lcm", scheduler,
                                  brushes=brushes, height=fixtures.HEIGHT, width=fixtures.WIDTH,
                                  generator=torch.Generator().manual_seed(case["seed"]), **kwargs)
            fixtures.save_image(OUT, name, fixtures.png_pixels(result.image))
            index[name] = case["options"]
            print(name, "done")
    fixtures.write_cases(OUT, index)


if __name__ == "__main__":
    main()
