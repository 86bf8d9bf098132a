#!/usr/bin/env python3
"""Generate the mask-preprocessing fixtures in Tests/Fixtures/masks/ (docs/ALGORITHM.md section 2).

A direct PyTorch implementation of the six steps, applied to a few canvases:
    1. resize: F.interpolate(mode="bilinear", align_corners=False) in float32 (the input dtype)
       for masks given at another size;
    2. cover: every brush except the last is multiplied by 0.3 where any later brush is > 0;
    3. blur: F.pad(mode="replicate") then F.conv2d with the normalised 2-D Gaussian
       outer(g, g), g = exp(-x^2 / (2 std^2)) for x = -r..r, r = ceil(3 std); std <= 0 = no blur.
       Steps 2-3 run in float64 and the result is rounded to float32 once ("blurred", kept for
       the final pixel blend). Float64 matters: the continuous quantisation divides by
       b_i - b_{i+1}, as small as 0.0035, which would amplify float32 summation noise
       (~1e-7) past 1e-5;
    4. alpha: blurred * float32(alpha);
    5. quantise against float32 noise levels b_0 > ... > b_{T-1}, b_T = 0:
       discrete (m > b_i).float(), continuous ((m - b_{i+1}) / (b_i - b_{i+1})).clamp(0, 1);
    6. F.interpolate(mode="nearest") to H/8 x W/8; background = (1 - latent.sum(0)).clamp(0, 1).

Noise levels: the default 5-slot schedule (t = 999, 919, 759, 499, 259) and the 4-slot list
(t = 999, 759, 499, 259), b_t = sqrt(1 - abar_t) in float32 from diffusers' LCMScheduler
alphas_cumprod (scaled_linear 0.00085..0.012, 1000 steps), checked against docs/ALGORITHM.md section 1.

Files (one per canvas; inputs shared by its configurations):
    square.safetensors  64 x 64 (H x W): brushes [full canvas, smooth random, circle, empty]
    wide.safetensors    96 x 128: brushes [full canvas, circle given at 48 x 64 (resized),
                        smooth random, circle]
Tensors: mask_<p> (the input masks, float32, any size), and per configuration c:
    c<k>/noise_levels [T], c<k>/latent [P, T, 1, h, w], c<k>/background [T, 1, h, w],
    c<k>/blurred [P, H, W]. Metadata key "fixture": JSON {configurations: [{name, blur_std,
    alphas, quantization, slots}], height, width, cover}.

Pinned: torch 2.13.0 (+cpu), diffusers 0.42.1, safetensors 0.8.0 (asserted). Run from the
repository root:
    .venv-reference/bin/python Tools/make_mask_fixtures.py
Deterministic (fixed seeds, one thread); reruns give byte-identical files.
"""

import json
import math
import os

import diffusers
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from reference_pins import check as check_pins  # noqa: E402

check_pins("torch", "diffusers", "safetensors")
torch.set_num_threads(1)

OUT = os.path.join("Tests", "Fixtures", "masks")
COVER = 0.3


def noise_levels(timesteps):
    scheduler = diffusers.LCMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       num_train_timesteps=1000)
    abar = scheduler.alphas_cumprod.to(torch.float32)
    return torch.sqrt(1 - abar[timesteps]).to(torch.float32)


DEFAULT_5 = noise_levels([999, 919, 759, 499, 259])
SLOTS_4 = noise_levels([999, 759, 499, 259])
TABLE = [0.99767, 0.99419, 0.97354, 0.84990, 0.58397]
assert all(abs(a - b) < 1e-5 for a, b in zip(DEFAULT_5.tolist(), TABLE)), DEFAULT_5.tolist()


def circle(height, width, cy, cx, radius):
    y = torch.arange(height, dtype=torch.float64)[:, None] + 0.5
    x = torch.arange(width, dtype=torch.float64)[None, :] + 0.5
    distance = torch.sqrt((y - cy) ** 2 + (x - cx) ** 2)
    return (radius - distance + 0.5).clamp(0, 1).to(torch.float32)  # one-pixel anti-aliased edge


def smooth_random(height, width, seed):
    generator = torch.Generator().manual_seed(seed)
    field = torch.randn(1, 1, height // 16 + 2, width // 16 + 2, generator=generator, dtype=torch.float32)
    field = F.interpolate(field, size=(height, width), mode="bicubic", align_corners=False)[0, 0]
    return ((field - 0.2) * 3).clamp(0, 1)  # exact zeros, exact ones and soft ramps


def process(masks, height, width, blur_std, alphas, levels, quantization):
    resized = []
    for mask in masks:
        x = mask[None, None]
        if tuple(mask.shape) != (height, width):
            x = F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False)
        resized.append(x[0, 0])
    resized = torch.stack(resized).to(torch.float64)
    count = resized.shape[0]
    covered = resized.clone()
    for p in range(count - 1):
        later = (resized[p + 1:] > 0).any(dim=0)
        covered[p] = torch.where(later, resized[p] * COVER, resized[p])
    blurred = []
    for p in range(count):
        std = blur_std[p]
        if std <= 0:
            blurred.append(covered[p])
            continue
        radius = math.ceil(3 * std)
        x = torch.arange(-radius, radius + 1, dtype=torch.float64)
        g = torch.exp(-(x * x) / (2 * std * std))
        g = g / g.sum()
        kernel = torch.outer(g, g)[None, None]
        padded = F.pad(covered[p][None, None], (radius, radius, radius, radius), mode="replicate")
        blurred.append(F.conv2d(padded, kernel)[0, 0])
    blurred = torch.stack(blurred).to(torch.float32)
    m = blurred * torch.tensor(alphas, dtype=torch.float32)[:, None, None]
    levels = levels.to(torch.float32)
    following = torch.cat([levels[1:], torch.zeros(1, dtype=torch.float32)])
    b = levels[None, :, None, None]
    if quantization == "discrete":
        quantised = (m[:, None] > b).to(torch.float32)
    else:
        quantised = ((m[:, None] - following[None, :, None, None]) / (b - following[None, :, None, None])).clamp(0, 1)
    latent = F.interpolate(quantised, size=(height // 8, width // 8), mode="nearest")  # [P, T, h, w]
    latent = latent[:, :, None]
    background = (1 - latent.sum(dim=0)).clamp(0, 1)
    return latent.contiguous(), background.contiguous(), blurred.contiguous()


def write(name, height, width, masks, configurations):
    tensors = {f"mask_{p}": mask.contiguous() for p, mask in enumerate(masks)}
    for k, config in enumerate(configurations):
        latent, background, blurred = process(masks, height, width, config["blur_std"], config["alphas"],
                                              config["levels"], config["quantization"])
        tensors[f"c{k}/noise_levels"] = config["levels"].clone()
        tensors[f"c{k}/latent"] = latent
        tensors[f"c{k}/background"] = background
        tensors[f"c{k}/blurred"] = blurred
    described = [{key: value for key, value in c.items() if key != "levels"} | {"slots": len(c["levels"])}
                 for c in configurations]
    # One metadata key: safetensors orders several keys by hash, which would break byte-identical reruns.
    metadata = {"fixture": json.dumps({"configurations": described, "height": height, "width": width,
                                       "cover": COVER}, sort_keys=True)}
    path = os.path.join(OUT, name + ".safetensors")
    save_file(tensors, path, metadata=metadata)
    print(path, os.path.getsize(path), "bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    height, width = 64, 64
    square = [torch.ones(height, width), smooth_random(height, width, 1), circle(height, width, 30.0, 36.0, 14.5),
              torch.zeros(height, width)]
    write("square", height, width, square, [
        {"name": "discrete-5-mixed", "blur_std": [1.0, 8.0, 0.0, 1.0], "alphas": [1.0, 0.6, 1.0, 1.0],
         "quantization": "discrete", "levels": DEFAULT_5},
        {"name": "continuous-4-std8", "blur_std": [8.0, 8.0, 8.0, 8.0], "alphas": [0.6, 1.0, 1.0, 0.6],
         "quantization": "continuous", "levels": SLOTS_4},
        {"name": "continuous-5-mixed", "blur_std": [0.0, 1.0, 8.0, 0.0], "alphas": [1.0, 1.0, 0.6, 1.0],
         "quantization": "continuous", "levels": DEFAULT_5},
    ])
    height, width = 96, 128
    wide = [torch.ones(height, width), circle(48, 64, 20.0, 22.0, 11.3), smooth_random(height, width, 2),
            circle(height, width, 60.0, 90.0, 25.2)]
    write("wide", height, width, wide, [
        {"name": "discrete-4-mixed", "blur_std": [8.0, 1.0, 0.0, 8.0], "alphas": [1.0, 0.6, 1.0, 1.0],
         "quantization": "discrete", "levels": SLOTS_4},
        {"name": "continuous-5-std8", "blur_std": [8.0, 8.0, 8.0, 1.0], "alphas": [1.0, 1.0, 0.6, 1.0],
         "quantization": "continuous", "levels": DEFAULT_5},
    ])


if __name__ == "__main__":
    main()
