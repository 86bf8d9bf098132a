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
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from PIL import Image, ImageDraw
from diffusers import AutoencoderKL, AutoencoderTiny, LCMScheduler, UNet2DConditionModel
from transformers import CLIPTextModel, CLIPTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_semantic_draw as ref  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "generate")
W, H = 64, 48

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


def write_inputs():
    disc = Image.new("L", (W, H), 0)
    ImageDraw.Draw(disc).ellipse((6, 10, 34, 38), fill=255)
    disc.save(os.path.join(OUT, "disc.png"))
    half = Image.new("L", (W, H), 0)
    ImageDraw.Draw(half).rectangle((32, 0, W - 1, H - 1), fill=255)
    half.save(os.path.join(OUT, "half.png"))
    g = torch.Generator().manual_seed(0)
    small = (torch.rand(4, 4, 3, generator=g) * 255).to(torch.uint8).numpy()
    Image.fromarray(small, "RGB").resize((W, H), Image.BILINEAR).save(os.path.join(OUT, "background.png"))


def load_png(name, mode):
    return torch.from_numpy(np.asarray(Image.open(os.path.join(OUT, name)).convert(mode), dtype=np.float32) / 255.0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--semantic-draw", required=True, help="the built semantic-draw executable")
    args = parser.parse_args()
    ref.check_versions()
    os.makedirs(OUT, exist_ok=True)
    write_inputs()
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([args.semantic_draw, "export", "tiny-random", folder, "--force"], check=True)
        tokenizer = CLIPTokenizer.from_pretrained(folder, subfolder="tokenizer")
        text_encoder = CLIPTextModel.from_pretrained(folder, subfolder="text_encoder").eval()
        unet = UNet2DConditionModel.from_pretrained(folder, subfolder="unet").eval()
        vae = AutoencoderKL.from_pretrained(folder, subfolder="vae").eval()
        taesd = AutoencoderTiny.from_pretrained(os.path.join(folder, "taesd")).eval()
        index = {}
        for name, case in CASES.items():
            brushes = []
            for brush in case["brushes"]:
                brush = dict(brush)
                brush["mask"] = load_png(brush["mask"], "L")
                brushes.append(brush)
            kwargs = dict(case["kwargs"])
            if "background_image" in kwargs:
                kwargs["background_image"] = load_png(kwargs["background_image"], "RGB")
            scheduler = LCMScheduler.from_pretrained(folder, subfolder="scheduler")
            result = ref.generate(unet, taesd if case["taesd"] else vae, text_encoder, tokenizer, "lcm", scheduler,
                                  brushes=brushes, height=H, width=W,
                                  generator=torch.Generator().manual_seed(case["seed"]), **kwargs)
            image = result.image[0] if result.image.dim() == 4 else result.image
            pixels = (image.permute(1, 2, 0).clamp(0, 1) * 255).round().to(torch.uint8).numpy()
            Image.fromarray(pixels, "RGB").save(os.path.join(OUT, f"{name}.png"))
            index[name] = case["options"]
            print(name, "done")
    with open(os.path.join(OUT, "cases.json"), "w") as handle:
        json.dump(index, handle, indent=2)
        handle.write("\n")


if __name__ == "__main__":
    main()
